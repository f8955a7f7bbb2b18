"""Twenty real processes confirm a waitlist offer at the same instant, on SQLite and on
PostgreSQL (REBOOK_TEST_DB): exactly one gets the booking, every other is told the time has
gone, and no 15-minute cell is claimed twice. Only the database keeps them apart."""
from collections import Counter
from urllib.parse import urlsplit

import pytest

from portal.bookings.claims import cells
from portal.bookings.models import Booking
from portal.bookings.schedule_models import SlotClaim
from portal.bookings.services import cancel_booking
from portal.bookings.waitlist_models import BOOKED, CLAIMED, GONE, WaitlistEntry, WaitlistOffer
from portal.kernel.db import database
from portal.messaging.waitlist_emails import offer_url
from portal.settings import Settings
from tests.support import waitlist_race_worker
from tests.support.processes import run_together
from tests.support.waitlist import (admin_actor, booked_time, only_one_fieldworker,
                                    waiting_customers)

RACERS = 20
DEADLINE = 180


@pytest.fixture
def offers(app, world):
    """RACERS customers waiting for one time, each sent an offer of it (everyone at once)."""
    app.config["SECRET_KEY"] = "race-secret"  # the children sign and check with this one
    try:
        only_one_fieldworker(world)
        Settings.update(waitlist_batch=0).execute()
        time = booked_time(world)
        waiting_customers(world, time.day, count=RACERS)
        cancel_booking(time.booking.ref, admin_actor(world), channel="admin")
        made = list(WaitlistOffer.select().order_by(WaitlistOffer.id))
        assert len(made) == RACERS
        yield time, [urlsplit(offer_url(o)).path for o in made]
    finally:
        app.config["SECRET_KEY"] = "test-secret"


def race(database_url, paths):
    assert not database.in_transaction()
    database.close()
    outcomes = run_together(waitlist_race_worker.confirm_when_released, RACERS, DEADLINE,
                            args_for=lambda i: (i, database_url, paths[i]))
    database.connect(reuse_if_open=True)
    return outcomes


def one_booking_one_claim_set(time):
    """Exactly one new scheduled booking at the time, holding its cells once."""
    [booking] = Booking.select().where((Booking.starts_at == time.starts_at)
                                       & (Booking.status == "scheduled"))
    claimed = [c.slot_start for c in SlotClaim.select().where(
        SlotClaim.slot_start.between(time.starts_at, booking.ends_at))]
    assert sorted(claimed) == list(cells(booking.starts_at, booking.ends_at))
    return booking


@pytest.mark.slow
def test_twenty_customers_confirm_their_offers_of_one_time(database_url, offers):
    time, paths = offers
    outcomes = race(database_url, paths)
    statuses = Counter(o["status"] for o in outcomes)
    assert statuses == {302: 1, 409: RACERS - 1}, statuses
    assert all("this time has gone" in o["body"] for o in outcomes if o["status"] == 409)
    booking = one_booking_one_claim_set(time)
    [winner] = [o["index"] for o in outcomes if o["status"] == 302]
    offers_now = list(WaitlistOffer.select().order_by(WaitlistOffer.id))
    assert offers_now[winner].booking_id == booking.id and offers_now[winner].state == CLAIMED
    assert {o.state for i, o in enumerate(offers_now) if i != winner} == {GONE}
    entries = Counter(e.state for e in WaitlistEntry.select())
    assert entries == {BOOKED: 1, "waiting": RACERS - 1}  # the others stay on the list


@pytest.mark.slow
def test_twenty_processes_confirm_the_same_offer(database_url, offers):
    time, paths = offers
    outcomes = race(database_url, [paths[0]] * RACERS)
    statuses = Counter(o["status"] for o in outcomes)
    assert statuses == {302: 1, 410: RACERS - 1}, statuses
    assert all("this time has gone" in o["body"] for o in outcomes if o["status"] == 410)
    booking = one_booking_one_claim_set(time)
    assert WaitlistOffer.select().where(WaitlistOffer.state == CLAIMED).count() == 1
    assert WaitlistOffer.get_by_id(WaitlistOffer.select().order_by(WaitlistOffer.id)
                                   .first().id).booking_id == booking.id
