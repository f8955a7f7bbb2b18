"""Twenty customers' browsers press "Cancel" on the same booking at once, from twenty processes.

Each child (tests/support/race_worker.py) has its own app and database connection, so the only thing
keeping them apart is the database: BEGIN IMMEDIATE on SQLite, SELECT ... FOR UPDATE on
PostgreSQL. Exactly one cancellation may happen, with exactly one set of effects, and everyone
else is told the truth: the booking is already cancelled (not "your page is stale", not a 500).
"""
import html
import multiprocessing
import re
from collections import Counter

import pytest

from portal.audit import AuditEvent
from portal.bookings.models import CANCELLED, Booking
from portal.kernel.db import database
from portal.messaging.models import Notification, OutboxMessage
from tests.support import race_worker
from tests.support.processes import run_together

RACERS = 20
DEADLINE = 90  # seconds for all the answers; the race itself takes well under a second
ALERT_RE = re.compile(r'role="alert">([^<]*)<')
ALREADY = "This booking is already cancelled."


def race(database_url, world):
    """Start the racers, collect one result from each, and leave no process behind."""
    login_lock = multiprocessing.get_context("spawn").Lock()
    return run_together(
        race_worker.cancel_when_released, RACERS, DEADLINE,
        args_for=lambda i: (i, database_url, world.customer.email, world.upcoming.ref,
                            world.upcoming.version, login_lock))


@pytest.mark.slow
def test_twenty_processes_cancel_the_same_booking_exactly_once(database_url, world):
    booking = world.upcoming
    # The children must see the world and must not wait behind us: it is committed (peewee
    # autocommits outside atomic()), and our connection is closed for the race.
    assert not database.in_transaction()
    database.close()

    outcomes = race(database_url, world)

    statuses = Counter(o["status"] for o in outcomes)
    winners = [o for o in outcomes if o["status"] in (200, 302)]
    losers = [o for o in outcomes if o["status"] == 409]
    assert len(winners) == 1 and len(losers) == RACERS - 1, statuses
    [winner] = winners
    for loser in losers:
        alerts = [html.unescape(a) for a in ALERT_RE.findall(loser["body"])]
        assert alerts and all(a.startswith(ALREADY) for a in alerts), alerts
    # It was a race: some losers had left the barrier before the winner had its answer.
    overlapping = [o for o in losers if o["released"] < winner["answered"]]
    assert overlapping, [(o["released"] - winner["answered"], o["phases"]) for o in losers]

    fresh = Booking.get_by_id(booking.id)
    assert (fresh.status, fresh.version) == (CANCELLED, booking.version + 1)
    assert fresh.cancel_note == f"Racer {winner['index']}"
    events = AuditEvent.select().where((AuditEvent.subject_type == "booking")
                                       & (AuditEvent.subject_id == booking.id))
    assert [e.action for e in events] == ["cancelled"]
    # One customer notice, and one email to each assigned fieldworker.
    assert sorted(m.dedupe_key for m in OutboxMessage.select()) == [
        f"booking_cancelled:{booking.id}:v{fresh.version}",
        f"staff_booking_cancelled:{booking.id}:v{fresh.version}:{world.fw.id}",
        f"staff_booking_cancelled:{booking.id}:v{fresh.version}:{world.fw2.id}"]
    notified = Counter(n.staff_id for n in Notification.select())
    assert notified == {world.fw.id: 1, world.fw2.id: 1}
    assert {n.booking_id for n in Notification.select()} == {booking.id}
