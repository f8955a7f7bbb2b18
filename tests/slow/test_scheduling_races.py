"""Races between real processes, each with its own app and connection: only the database keeps
them apart (BEGIN IMMEDIATE on SQLite; row locks and the unique slot-claim index on PostgreSQL).
"""
from collections import Counter

import pytest

from portal.bookings.claims import cells
from portal.bookings.models import Booking
from portal.bookings.schedule_models import ServiceStaff, SlotClaim
from portal.kernel.db import database
from portal.people import Customer
from tests.support import race_worker
from tests.support.factories import DEMO_HASH
from tests.support.processes import run_together
from tests.support.slots import free

RACERS = 20
DEADLINE = 120


@pytest.mark.slow
def test_twenty_customers_race_for_the_last_free_slot(database_url, world):
    ServiceStaff.create(service=world.service, staff=world.fw)  # one fieldworker: one seat
    slot = free(world.service, days_ahead=8)
    customers = [Customer.create(name=f"Racer {i}", email=f"racer{i}@example.com",
                                 password_hash=DEMO_HASH) for i in range(RACERS)]
    assert not database.in_transaction()
    database.close()

    outcomes = run_together(
        race_worker.command_when_released, RACERS, DEADLINE,
        args_for=lambda i: (i, database_url, "book", {
            "actor": ("customer", customers[i].id, customers[i].name),
            "customer": customers[i].id, "service": world.service.id,
            "starts_at": slot.starts_at}))

    statuses = Counter(o["status"] for o in outcomes)
    assert statuses == {"ok": 1, "slot_taken": RACERS - 1}, statuses
    assert all("just taken" in o["body"] for o in outcomes if o["status"] == "slot_taken")
    database.connect(reuse_if_open=True)
    [booking] = Booking.select().where(Booking.starts_at == slot.starts_at)
    claimed = sorted(c.slot_start for c in SlotClaim.select().where(
        SlotClaim.booking == booking.id))
    assert claimed == list(cells(booking.starts_at, booking.ends_at))
    assert SlotClaim.select().count() == len(claimed)  # the losers left nothing behind


@pytest.mark.slow
def test_reschedules_racing_a_cancellation_leave_one_final_state(database_url, world):
    booking = world.upcoming
    targets = [free(world.service, days_ahead=6, index=i) for i in range(RACERS // 2)]
    assert not database.in_transaction()
    database.close()

    actor = ("customer", world.customer.id, world.customer.name)

    def args_for(i):
        if i % 2:
            return (i, database_url, "cancel", {"actor": actor, "ref": booking.ref})
        return (i, database_url, "reschedule", {"actor": actor, "ref": booking.ref,
                                                "starts_at": targets[i // 2].starts_at})

    outcomes = run_together(race_worker.command_when_released, RACERS, DEADLINE, args_for)
    database.connect(reuse_if_open=True)
    final = Booking.get_by_id(booking.id)
    by_command = Counter((o["command"], o["status"]) for o in outcomes)
    # Exactly one cancellation wins; after it, every other request is told it is cancelled.
    assert by_command[("cancel", "ok")] == 1, by_command
    assert final.status == "cancelled"
    moves = by_command[("reschedule", "ok")]
    assert final.reschedule_count == moves and final.version == 2 + moves
    assert set(by_command) <= {("cancel", "ok"), ("cancel", "already_cancelled"),
                               ("reschedule", "ok"), ("reschedule", "already_cancelled"),
                               ("reschedule", "slot_taken")}, by_command
    assert not SlotClaim.select().where(SlotClaim.booking == booking.id).exists()
