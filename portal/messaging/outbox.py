"""The outbox: messages are queued in the caller's transaction and delivered after commit."""
import email
import email.policy
import logging
import random
from contextvars import ContextVar
from datetime import timedelta
from email.utils import formatdate

from peewee import Case, Value

from ..kernel.clock import utcnow
from ..kernel.db import locked, write_transaction
from ..settings import Settings
from .mime import build
from .models import DEAD, PENDING, SENDING, SENT, OutboxMessage
from .outbox_insert import insert_ignoring_queued
from .smtp import Mailer, ServerDown

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A claim older than this belongs to a worker that died mid-batch; take the message back.
CLAIM_LEASE = timedelta(minutes=5)
_gathered = ContextVar("outbox_gathered", default=None)  # rows queued inside one_insert()


def enqueue_email(*, dedupe_key, to, subject, text="", html="", ics="", ics_method="",
                  template="", context=""):
    """Queue one email; a second call with the same dedupe key queues nothing.

    Either the message itself (`text`, and `html`, `ics` if any) or what to render when it is
    sent: `template`, a name in messaging/rendering.py, with `context`, its values packed by
    rendering.pack (the cheaper for a request: see that module).

    Returns True when this call queued it. The unique key decides, in the one statement: a
    second call (or a second process racing with the same key, e.g. two reminder runs on two
    machines) inserts nothing, and the rowcount says so.
    """
    if not (text or template):
        raise ValueError("an email needs its text or a template to render it from")
    now = utcnow()
    row = dict(dedupe_key=dedupe_key, to_address=to, subject=subject, body_text=text,
               body_html=html, ics=ics, ics_method=ics_method, template=template,
               context=context, status=PENDING, next_attempt_at=now, created_at=now)
    gathered = _gathered.get()
    if gathered is not None:
        gathered.append(row)
        return True  # inside one_insert(): its INSERT decides, as below
    return OutboxMessage.insert(**row).on_conflict_ignore().as_rowcount().execute() == 1


def one_insert():
    """Emails queued inside this block reach the outbox in one INSERT when it ends (in the
    caller's transaction, as ever); a key already queued is skipped as in enqueue_email.
    A block left by an exception inserts nothing."""
    return _OneInsert()


class _OneInsert:
    """one_insert's block, written as a class: contextlib's generator steps took a dozen
    Python calls, more than the block's own."""

    __slots__ = ("rows", "token")

    def __enter__(self):
        self.rows = []
        self.token = _gathered.set(self.rows)

    def __exit__(self, exc_type, exc, traceback):
        _gathered.reset(self.token)
        if exc_type is None and self.rows:
            insert_ignoring_queued(self.rows)


def backoff(attempts, rng=random.random):
    """Exponential, capped at an hour, with jitter so a fleet of retries spreads out."""
    base = min(30 * 2 ** (attempts - 1), 3600)
    return timedelta(seconds=base * (0.5 + rng()))


# What delivering a message reads of it (mime.build, the failure's attempts): a claimed
# message carries these and no more. Text and whole numbers only, so a row's values are the
# fields' values as they come (no dates to parse: those were most of making 50 objects).
CLAIMED = ("id", "dedupe_key", "to_address", "subject", "body_text", "body_html", "ics",
           "template", "context", "ics_method", "attempts")
_KEPT_SQL = {}  # (kind of database, statement, size): its SQL text, or False


def _database():
    db = OutboxMessage._meta.database
    return getattr(db, "obj", None) or db  # the proxy's database


def _kept(key, build, params):
    """The SQL text of the statement build() makes, made by peewee once per kind of database,
    statement and size and kept (building it was a third of claiming and marking a batch:
    a node per id in the IN lists). The first time, `params` is checked against peewee's own
    for it; a statement of another shape is left to peewee every time. One statement in
    peewee's log either way."""
    db = _database()
    key = (type(db), *key)
    sql = _KEPT_SQL.get(key)
    if sql is None:
        sql, expected = build().sql()
        if expected != params:
            sql = False
        if len(_KEPT_SQL) >= 512:
            _KEPT_SQL.clear()
        _KEPT_SQL[key] = sql
    if sql is False:
        return build().execute()
    return db.execute_sql(sql, params)


def _values(field, *values):
    return [getattr(OutboxMessage, field).db_value(value) for value in values]


def claim_batch(limit=50, now=None):
    """Mark up to `limit` due messages as ours; other workers skip them."""
    now = now or utcnow()

    def due():
        when = ((OutboxMessage.status == PENDING) & (OutboxMessage.next_attempt_at <= now)) | (
            (OutboxMessage.status == SENDING) & (OutboxMessage.claimed_at < now - CLAIM_LEASE))
        fields = [getattr(OutboxMessage, name) for name in CLAIMED]
        return locked(OutboxMessage.select(*fields).where(when).order_by(OutboxMessage.id)
                      .limit(limit), skip_locked=True)

    with write_transaction():
        rows = _kept(("claim", limit), due, [
            *_values("status", PENDING), *_values("next_attempt_at", now),
            *_values("status", SENDING), *_values("claimed_at", now - CLAIM_LEASE), limit])
        batch = [_claimed(row) for row in rows]
        ids = [m.id for m in batch]
        if batch:
            def claim():
                return (OutboxMessage.update(status=SENDING, claimed_at=now)
                        .where(OutboxMessage.id.in_(ids)))
            _kept(("claimed", len(ids)), claim,
                  [*_values("status", SENDING), *_values("claimed_at", now), *ids])
    return batch


def _claimed(row):
    """An OutboxMessage of a claimed row, as peewee's select would make it from these columns
    (text and whole numbers come as they are), without a setattr per field."""
    if not isinstance(row, tuple):  # peewee's own objects (the statement left to peewee)
        return row
    message = OutboxMessage.__new__(OutboxMessage)
    message.__data__ = dict(zip(CLAIMED, row))
    message._dirty = set()
    message.__rel__ = {}
    return message


def _mark_sent(ids):
    """One UPDATE for every message the server took in a batch."""
    if ids:
        now = utcnow()

        def sent():
            return (OutboxMessage.update(status=SENT, sent_at=now,
                                         attempts=OutboxMessage.attempts + 1, last_error="")
                    .where(OutboxMessage.id.in_(ids)))
        # in peewee's order: the fields as the model declares them
        _kept(("sent", len(ids)), sent, [*_values("status", SENT), 1, *_values("last_error", ""),
                                         *_values("sent_at", now), *ids])


def _mark_failed(failed):
    """One UPDATE for every message a batch failed, each with its own values: the attempt
    counted, dead after MAX_ATTEMPTS, its own error and its own backoff (drawn per message, in
    the batch's order, as when each had an UPDATE of its own). CASE on the id, which both
    databases read the same."""
    if not failed:
        return
    now = utcnow()
    ids, status, attempts, errors, due = [], [], [], [], []
    for message, error in failed:
        count = message.attempts + 1
        ids.append(message.id)
        status.append(DEAD if count >= MAX_ATTEMPTS else PENDING)
        attempts.append(count)
        errors.append(str(error)[:2000])
        due.append(now + backoff(count))
        log.warning("outbox: message %s failed (attempt %s): %s", message.id, count, error)

    def by_id(field, values):
        return Case(OutboxMessage.id, [(i, Value(v, converter=field.db_value))
                                       for i, v in zip(ids, values)])

    def failed_update():
        return (OutboxMessage.update(
            status=by_id(OutboxMessage.status, status),
            attempts=by_id(OutboxMessage.attempts, attempts),
            next_attempt_at=by_id(OutboxMessage.next_attempt_at, due), claimed_at=None,
            last_error=by_id(OutboxMessage.last_error, errors))
            .where(OutboxMessage.id.in_(ids)))

    def cases(field, values):
        return [p for i, v in zip(ids, _values(field, *values)) for p in (i, v)]
    # in peewee's order: the fields as the model declares them, each CASE's WHEN and THEN
    _kept(("failed", len(ids)), failed_update, [
        *cases("status", status), *cases("attempts", attempts),
        *cases("next_attempt_at", due), *_values("claimed_at", None),
        *cases("last_error", errors), *ids])


def _as_mail(message):
    """The message as the server receives it (an email.message.Message, for reading)."""
    mailer = Mailer.for_app()
    mailer.name_sender(Settings.current().business_name)
    return email.message_from_bytes(build(message, mailer.from_header, mailer.domain),
                                     policy=email.policy.compat32)


def _prepared(mailer, message, date):
    """What mailer.prepare makes of `message`, or the exception it raised."""
    try:
        return message, mailer.prepare(message, date)
    except Exception as exc:  # one message that cannot be built must not stop the batch
        return message, exc


def deliver_batch(batch, mailer=None):
    """Send a claimed batch, over `mailer`'s kept-open connection or, without one, a connection
    of its own. Returns (sent, failed).

    The "sent" marks are written after the batch, in one transaction with the failures: a
    worker killed mid-batch repeats at most its batch (the one duplicate a crash can make was
    always possible for the message in flight), and the claim lease brings the batch back.
    """
    sent, failed = [], []
    if not batch:
        return 0, 0
    own = mailer is None
    mailer = mailer or Mailer.for_app()
    # One read a batch, and only a read: Settings.current() would make a missing row, and two
    # workers starting on a new database would race each other to make it.
    named = Settings.select(Settings.business_name).order_by(Settings.id).first()
    mailer.name_sender(named.business_name if named else Settings.business_name.default)
    date = formatdate(localtime=True)  # one Date for the batch: they leave together
    try:
        # Every message built (rendered, when queued as a template) before the first is sent:
        # the same code over and over runs at about half the CPU it takes between one
        # message's SMTP round trips and the next one's (the caches go cold while it waits).
        ready = [_prepared(mailer, message, date) for message in batch]
        for at, (message, prepared) in enumerate(ready):
            if isinstance(prepared, Exception):  # it could not be built: its own error
                failed.append((message, prepared))
                continue
            try:
                mailer.deliver(prepared)
            except ServerDown as down:  # the rest of the batch waits for a retry
                failed += [(m, p if isinstance(p, Exception) else down.cause)
                           for m, p in ready[at:]]
                break
            except Exception as exc:  # one bad address must not stop the batch
                failed.append((message, exc))
            else:
                sent.append(message.id)
    finally:
        if own:
            mailer.close()
        with write_transaction():
            _mark_sent(sent)
            _mark_failed(failed)
    return len(sent), len(failed)


def work_once(limit=50, mailer=None):
    """Claim and deliver one batch."""
    return deliver_batch(claim_batch(limit), mailer)


def requeue(message_id):
    """Give a dead (or any) message a fresh start: an admin's resend."""
    return (OutboxMessage.update(status=PENDING, attempts=0, next_attempt_at=utcnow(),
                                 claimed_at=None, last_error="")
            .where(OutboxMessage.id == message_id).execute())
