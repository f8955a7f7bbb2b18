"""The outbox when things go wrong: SMTP down through a burst of cancellations, a worker killed
with SIGKILL mid-batch, and two workers draining one queue. Real aiosmtpd on loopback, real
database (SQLite, or PostgreSQL with REBOOK_TEST_DB=postgres), real separate processes.

The promise under test is at-least-once delivery with no duplicates except the one a crash
makes unavoidable: a message the server accepted whose "sent" mark never reached the database.
"""
import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from portal.bookings.models import Booking
from portal.bookings.services import cancel_booking
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.kernel.db import database
from portal.messaging import outbox
from portal.messaging.models import PENDING, SENDING, SENT, OutboxMessage
from portal.messaging.outbox import enqueue_email, work_once
from tests.support import factories, outbox_worker_proc
from tests.support.mail import Collector, mail_to
from tests.support.processes import run_together
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
KEY_RE = re.compile(rb"^X-Rebook-Message: *(\S+)\r?$", re.MULTILINE | re.IGNORECASE)


def received_keys(handler):
    """The X-Rebook-Message (dedupe key) of every message the server accepted, in order."""
    keys = []
    for envelope in handler.envelopes:
        match = KEY_RE.search(envelope.original_content or envelope.content)
        assert match, "a message without X-Rebook-Message"
        keys.append(match.group(1).decode())
    return keys


@contextmanager
def smtp_server(handler, port=None):
    """aiosmtpd on 127.0.0.1 (`port`, or a free one) for the block; yields the port."""
    controller = Controller(handler, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def drain(limit=50, max_batches=200):
    """work_once until a call has nothing to do; returns (sent, failed, batches)."""
    sent = failed = batches = 0
    while True:
        s, f = work_once(limit)
        if not (s or f):
            return sent, failed, batches
        sent, failed, batches = sent + s, failed + f, batches + 1
        assert batches <= max_batches, "the outbox never ran dry"


def make_all_due():
    OutboxMessage.update(next_attempt_at=utcnow() - timedelta(seconds=1)).execute()


def statuses():
    return Counter(m.status for m in OutboxMessage.select(OutboxMessage.status))


def fresh_status(message):
    return OutboxMessage.get_by_id(message.id).status


def queue_many(count, prefix="bulk"):
    """`count` distinct messages, enqueued in one transaction; returns their dedupe keys."""
    keys = [f"{prefix}:{i:04d}" for i in range(count)]
    with database.atomic():
        for i, key in enumerate(keys):
            enqueue_email(dedupe_key=key, to=f"person{i}@example.com", subject=f"Message {i}",
                          text=f"Plain {i}", html=f"<p>HTML {i}</p>")
    return keys


# 1. SMTP down while 200 bookings are cancelled ----------------------------------------------

def test_smtp_down_through_200_cancellations_then_every_email_goes_once(app, world):
    admin = Actor("admin", world.admin.id, world.admin.name)
    with database.atomic():
        bookings = [factories.booking((world.customer, world.other)[i % 2], world.service,
                                      timedelta(days=2, hours=i)) for i in range(200)]
    # A port bound but not listening: connections are refused, and nobody else can take it
    # until the "server comes back" on it below.
    down = socket.socket()
    down.bind(("127.0.0.1", 0))
    port = down.getsockname()[1]
    try:
        with mail_to(app, port):
            for b in bookings:
                cancel_booking(b.ref, admin, channel="admin")
            assert OutboxMessage.select().count() == 200

            assert drain() == (0, 200, 4)  # four batches of 50, each refused as a whole
            make_all_due()
            assert drain() == (0, 200, 4)  # still down on the second round
            assert drain() == (0, 0, 0)  # everything is backing off now

            rows = list(OutboxMessage.select())
            assert statuses() == {PENDING: 200}  # none lost, none dead, none stuck "sending"
            assert {r.attempts for r in rows} == {2}
            assert all("refused" in r.last_error.lower() for r in rows)
            assert all(r.next_attempt_at > utcnow() for r in rows)
            assert all(r.claimed_at is None and r.sent_at is None for r in rows)
    finally:
        down.close()

    handler = Collector()
    with smtp_server(handler, port), mail_to(app, port):  # the server is back, same address
        assert drain() == (0, 0, 0)  # nothing is due yet: no early retry storm
        assert handler.envelopes == []
        make_all_due()
        assert drain() == (200, 0, 4)

    expected = {f"booking_cancelled:{b.id}:v2": b for b in
                Booking.select().where(Booking.id.in_([b.id for b in bookings]))}
    keys = received_keys(handler)
    assert len(keys) == 200 and Counter(keys) == Counter(list(expected))  # one per booking
    for key, envelope in zip(keys, handler.envelopes):
        booking = expected[key]
        assert booking.status == "cancelled"
        customer = world.customer if booking.customer_id == world.customer.id else world.other
        assert envelope.rcpt_tos == [customer.email]
        assert f"Your booking {booking.ref} is cancelled".encode() in envelope.content
    assert statuses() == {SENT: 200}
    assert {(r.attempts, r.last_error) for r in OutboxMessage.select()} == {(3, "")}


# 2. A worker killed with SIGKILL mid-batch ---------------------------------------------------

class SlowCollector(Collector):
    """Takes `delay` seconds to acknowledge each message it has already accepted, and raises
    `reached` once `signal_at` messages are in: a kill then lands between the server accepting
    a message and the worker hearing so (the one window in which a duplicate is possible)."""

    def __init__(self, delay, signal_at):
        super().__init__()
        self.delay = delay
        self.signal_at = signal_at
        self.reached = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.received.append((session, envelope))
        if len(self.received) >= self.signal_at:
            self.reached.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"


KILL_BATCH = 20


@pytest.mark.slow
def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_only_its_batch(
        app, database_url, tmp_path):
    keys = queue_many(100, prefix="kill")
    assert not database.in_transaction()  # the worker must not wait behind us
    handler = SlowCollector(delay=0.05, signal_at=KILL_BATCH + KILL_BATCH // 2)
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="worker-secret",
               MAIL_SERVER="127.0.0.1", MAIL_TIMEOUT="10", BASE_URL="http://localhost")
    log_path = tmp_path / "worker.log"
    with smtp_server(handler) as port:
        env["MAIL_PORT"] = str(port)
        with open(log_path, "wb") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "work",
                 "--batch", str(KILL_BATCH), "--interval", "0.2"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                # Mid second batch: the first is all sent, the second half done.
                reached = handler.reached.wait(30)
                worker.send_signal(signal.SIGKILL)
                worker.wait(10)
            finally:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
        output = log_path.read_text(errors="replace")
        assert reached, f"the worker sent {len(handler.received)} in 30 s:\n{output}"
        assert worker.returncode == -signal.SIGKILL, output

        before_kill = Counter(received_keys(handler))
        rows = {m.dedupe_key: m for m in OutboxMessage.select()}
        in_flight = {k for k, m in rows.items() if m.status == SENDING}
        sent_by_dead = {k for k, m in rows.items() if m.status == SENT}
        # The dead worker's claim: some of its batch, never more than one batch.
        assert 0 < len(in_flight) <= KILL_BATCH, statuses()
        assert len(sent_by_dead) >= KILL_BATCH  # the first batch was done before the kill
        assert sent_by_dead <= set(before_kill)  # "sent" is only written after the server's 250
        assert set(before_kill) <= sent_by_dead | in_flight
        assert max(before_kill.values()) == 1

        handler.delay = 0
        with mail_to(app, port):
            # A fresh worker while the lease still holds: it sends what is pending and leaves
            # the dead worker's claim alone (it might still be alive and sending).
            sent, failed, _ = drain()
            assert (sent, failed) == (100 - len(sent_by_dead) - len(in_flight), 0)
            assert {k for k, m in rows.items() if fresh_status(m) == SENDING} == in_flight
            assert not in_flight & set(received_keys(handler)[sum(before_kill.values()):])

            # The lease runs out: the claim is taken back and delivered.
            (OutboxMessage
             .update(claimed_at=utcnow() - outbox.CLAIM_LEASE - timedelta(seconds=1))
             .where(OutboxMessage.status == SENDING).execute())
            assert drain() == (len(in_flight), 0, 1)

    delivered = Counter(received_keys(handler))
    assert set(delivered) == set(keys)  # every message at least once
    duplicates = {k for k, n in delivered.items() if n > 1}
    print(f"killed worker: {len(sent_by_dead)} sent, {len(in_flight)} claimed; "
          f"duplicates after the drain: {sorted(duplicates)}")
    assert duplicates <= in_flight, duplicates - in_flight  # only the killed batch repeats
    assert len(duplicates) <= KILL_BATCH
    assert max(delivered.values()) <= 2
    assert statuses() == {SENT: 100}


# 3. Two workers, one queue -------------------------------------------------------------------

WORKERS = 2
DEADLINE = 90  # seconds for both workers' answers; the drain takes a few


def run_workers(database_url, port):
    """Start the worker processes together and collect one result from each."""
    return run_together(outbox_worker_proc.drain, WORKERS, DEADLINE,
                        args_for=lambda i: (f"worker-{i}", database_url, port))


@pytest.mark.slow
def test_two_worker_processes_drain_1000_messages_sending_none_twice(app, database_url):
    """SKIP LOCKED on PostgreSQL, BEGIN IMMEDIATE on SQLite: a message is claimed once."""
    keys = queue_many(1000)
    assert not database.in_transaction()
    database.close()  # the workers must not wait behind us

    handler = Collector()
    with smtp_server(handler) as port:
        outcomes = run_workers(database_url, port)

    print("workers:", outcomes)  # shown when the test fails
    delivered = Counter(received_keys(handler))
    duplicates = {k: n for k, n in delivered.items() if n > 1}
    assert not duplicates, f"{len(duplicates)} sent twice, e.g. {list(duplicates.items())[:5]}"
    assert set(delivered) == set(keys) and len(handler.envelopes) == 1000
    assert all(o["failed"] == 0 for o in outcomes), outcomes
    assert sum(o["sent"] for o in outcomes) == 1000, outcomes
    assert all(o["sent"] > 0 for o in outcomes), outcomes  # both took part
    assert statuses() == {SENT: 1000}
    assert {m.attempts for m in OutboxMessage.select(OutboxMessage.attempts)} == {1}
