"""The background worker behind `flask outbox work`: delivers the outbox and runs reminders.

One loop, so one process to run and supervise beside the web server: every pass delivers what
is due (email over SMTP, webhooks over HTTP), on SQLite copies the write-ahead log into the
database file (so that no customer's request does; kernel/db.checkpoint) and, every
`reminders_every` seconds, queues the reminder emails that are due. Any number of workers may
run, on one machine or several: outbox claims are locked (SKIP LOCKED / BEGIN IMMEDIATE) and a
reminder's dedupe key is unique, so two workers never send one message or queue one reminder
twice.

SIGTERM or Ctrl-C asks the loop to stop after the batch in hand, so a deploy or a Ctrl-C does
not leave claimed messages in "sending" until their lease runs out; a second Ctrl-C stops at
once.
"""
import signal
import time

from ..kernel.db import checkpoint, database


class _Stop:
    """Set by SIGTERM/SIGINT; the loop checks it between batches."""

    def __init__(self):
        self.requested = False

    def __call__(self, signum, frame):
        if self.requested and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.requested = True

    def sleep(self, seconds):
        end = time.monotonic() + seconds
        while not self.requested and time.monotonic() < end:
            time.sleep(min(0.2, end - time.monotonic()))


def deliver_once(batch, email=True, mailer=None):
    """One pass over email and webhooks: ((sent, failed), (delivered, undelivered)).
    `mailer` keeps one SMTP connection open from pass to pass."""
    from ..integrations.delivery import work_once as deliver_webhooks
    from ..messaging.outbox import work_once
    with database.connection_context():
        return work_once(batch, mailer) if email else (0, 0), deliver_webhooks(batch)


def deliver_pushes(batch):
    """One pass of Web Push to staff devices (portal/messaging/push_send.py): (sent, failed).
    Claims work as for webhooks, so any number of workers may run this too."""
    from ..messaging.push_send import work_once
    with database.connection_context():
        return work_once(batch)


def checkpoint_log():
    """SQLite: the write-ahead log copied into the database file (kernel/db.checkpoint);
    PostgreSQL: nothing. (pages in the log, pages copied)."""
    with database.connection_context():
        return checkpoint()


def queue_reminders():
    from ..bookings.waitlist_offers import advance
    from ..messaging.reminders import send_due_reminders
    with database.connection_context():
        queued = send_due_reminders()
        advance()  # waitlist offers past their claim window go to the next in line
        return queued


def run(echo, batch=50, interval=2.0, once=False, reminders_every=60.0, email=True):
    """Deliver until stopped (or, with `once`, until nothing more is due). With email off
    (no SMTP server configured) email stays queued and webhooks and reminders go on."""
    stop = _Stop()
    if not once:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        echo(f"worker: delivering every {interval:g}s"
             + (f", reminders every {reminders_every:g}s" if reminders_every else ""))
        if not email:
            echo("worker: MAIL_SERVER is not set, so email waits in the outbox (admin › "
                 "Emails); webhooks and reminders go on")
    from ..messaging.smtp import Mailer
    with Mailer.for_app() as mailer:
        _loop(echo, stop, mailer, batch, interval, once, reminders_every, email)
    if stop.requested:
        echo("worker: stopped")


def _loop(echo, stop, mailer, batch, interval, once, reminders_every, email):
    next_reminders = 0.0
    while not stop.requested:
        if not once and reminders_every and time.monotonic() >= next_reminders:
            next_reminders = time.monotonic() + reminders_every
            queued = queue_reminders()
            if queued:
                echo(f"reminders: queued {queued}")
        (sent, failed), (delivered, undelivered) = deliver_once(batch, email, mailer)
        if sent or failed:
            echo(f"outbox: sent {sent}, failed {failed}")
        if delivered or undelivered:
            echo(f"webhooks: delivered {delivered}, failed {undelivered}")
        pushed, unpushed = deliver_pushes(batch)
        if pushed or unpushed:
            echo(f"push: sent {pushed}, failed {unpushed}")
        checkpoint_log()
        full = sent + failed >= batch or delivered + undelivered >= batch \
            or pushed + unpushed >= batch
        if once and not full:
            break
        if not (sent or failed or delivered or undelivered or pushed or unpushed):
            stop.sleep(interval)
