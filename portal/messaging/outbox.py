"""The outbox: messages are queued in the caller's transaction and delivered after commit."""
import logging
import random
import smtplib
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from flask import current_app
from flask_mail import Connection, Message

from ..db import locked, write_transaction
from ..people import utcnow
from .models import DEAD, PENDING, SENDING, SENT, OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A claim older than this belongs to a worker that died mid-batch; take the message back.
CLAIM_LEASE = timedelta(minutes=5)
_gathered = ContextVar("outbox_gathered", default=None)  # rows queued inside one_insert()


def enqueue_email(*, dedupe_key, to, subject, text, html="", ics="", ics_method=""):
    """Queue one email; a second call with the same dedupe key queues nothing.

    Returns True when this call queued it. The unique key decides, in the one statement: a
    second call (or a second process racing with the same key, e.g. two reminder runs on two
    machines) inserts nothing, and the rowcount says so.
    """
    row = dict(dedupe_key=dedupe_key, to_address=to, subject=subject, body_text=text,
               body_html=html, ics=ics, ics_method=ics_method, status=PENDING,
               next_attempt_at=utcnow(), created_at=utcnow())
    gathered = _gathered.get()
    if gathered is not None:
        gathered.append(row)
        return True  # inside one_insert(): its INSERT decides, as below
    return OutboxMessage.insert(**row).on_conflict_ignore().as_rowcount().execute() == 1


@contextmanager
def one_insert():
    """Emails queued inside this block reach the outbox in one INSERT when it ends (in the
    caller's transaction, as ever); a key already queued is skipped as in enqueue_email."""
    rows = []
    token = _gathered.set(rows)
    try:
        yield
    finally:
        _gathered.reset(token)
    if rows:
        OutboxMessage.insert_many(rows).on_conflict_ignore().execute()


def backoff(attempts, rng=random.random):
    """Exponential, capped at an hour, with jitter so a fleet of retries spreads out."""
    base = min(30 * 2 ** (attempts - 1), 3600)
    return timedelta(seconds=base * (0.5 + rng()))


def claim_batch(limit=50, now=None):
    """Mark up to `limit` due messages as ours; other workers skip them."""
    now = now or utcnow()
    due = ((OutboxMessage.status == PENDING) & (OutboxMessage.next_attempt_at <= now)) | (
        (OutboxMessage.status == SENDING) & (OutboxMessage.claimed_at < now - CLAIM_LEASE))
    with write_transaction():
        query = OutboxMessage.select().where(due).order_by(OutboxMessage.id).limit(limit)
        batch = list(locked(query, skip_locked=True))
        if batch:
            (OutboxMessage.update(status=SENDING, claimed_at=now)
             .where(OutboxMessage.id.in_([m.id for m in batch])).execute())
    return batch


def _mark_sent(message):
    (OutboxMessage.update(status=SENT, sent_at=utcnow(), attempts=OutboxMessage.attempts + 1,
                          last_error="")
     .where(OutboxMessage.id == message.id).execute())


def _mark_failed(message, error):
    attempts = message.attempts + 1
    dead = attempts >= MAX_ATTEMPTS
    (OutboxMessage.update(status=DEAD if dead else PENDING, attempts=attempts,
                          last_error=str(error)[:2000], claimed_at=None,
                          next_attempt_at=utcnow() + backoff(attempts))
     .where(OutboxMessage.id == message.id).execute())
    log.warning("outbox: message %s failed (attempt %s): %s", message.id, attempts, error)


def _as_mail(message):
    msg = Message(subject=message.subject, recipients=[message.to_address],
                  body=message.body_text, html=message.body_html or None)
    msg.extra_headers = {"X-Rebook-Message": message.dedupe_key}
    if message.ics:
        msg.attach("invite.ics", f"text/calendar; charset=utf-8; method={message.ics_method}",
                   message.ics.encode())
    return msg


class _TimedConnection(Connection):
    """Flask-Mail's connection, opened with MAIL_TIMEOUT.

    Flask-Mail 0.10 has no timeout setting: it opens smtplib.SMTP(server, port) with none, so a
    server that accepts the connection and then stays silent would block the worker forever
    (and its claimed batch would sit in "sending" until the claim lease ran out).
    """

    def __init__(self, state, timeout):
        super().__init__(state)
        self.timeout = timeout

    def configure_host(self):
        smtp = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp(self.mail.server, self.mail.port, timeout=self.timeout)
        host.set_debuglevel(int(self.mail.debug))
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def _connect():
    """An SMTP connection for the current app's mail settings, with its MAIL_TIMEOUT."""
    return _TimedConnection(current_app.extensions["mail"],
                            current_app.config.get("MAIL_TIMEOUT", 10))


def deliver_batch(batch):
    """Send a claimed batch over one SMTP connection. Returns (sent, failed)."""
    sent = failed = 0
    if not batch:
        return sent, failed
    try:
        with _connect() as conn:
            for message in batch:
                try:
                    conn.send(_as_mail(message))
                except Exception as exc:  # one bad address must not stop the batch
                    _mark_failed(message, exc)
                    failed += 1
                else:
                    _mark_sent(message)
                    sent += 1
    except Exception as exc:  # the server is down: the whole batch waits for a retry
        for message in batch[sent + failed:]:
            _mark_failed(message, exc)
            failed += 1
    return sent, failed


def work_once(limit=50):
    """Claim and deliver one batch."""
    return deliver_batch(claim_batch(limit))


def requeue(message_id):
    """Give a dead (or any) message a fresh start: an admin's resend."""
    return (OutboxMessage.update(status=PENDING, attempts=0, next_attempt_at=utcnow(),
                                 claimed_at=None, last_error="")
            .where(OutboxMessage.id == message_id).execute())
