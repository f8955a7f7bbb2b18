"""A released time and customers waiting for it: one fieldworker, a visit booked on a working
day two weeks ahead at 10:00 local, and waiting customers who joined one after another (the
`released` fixture: all three at once)."""
from datetime import datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from portal.bookings import hours
from portal.bookings.scheduling import book_appointment
from portal.bookings.waitlist import join
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.kernel.timefmt import to_local
from portal.people import Customer, Staff
from portal.settings import Settings
from tests.support.days import working_day
from tests.support.factories import person


def only_one_fieldworker(world):
    """Fred alone does the work, so a booked time is nobody else's free time."""
    Staff.update(active=False).where(Staff.id == world.fw2.id).execute()


def booked_time(world, customer=None, days_ahead=14, at=time(10)):
    """A visit of world.service at `at` local on a working day `days_ahead` ahead, booked by
    the admin for `customer` (world.other by default): the time a cancellation releases."""
    settings = Settings.current()
    today = to_local(utcnow(), settings.timezone).date()
    day = working_day(today, days_ahead)
    starts_at = hours.local_to_utc(datetime.combine(day, at), ZoneInfo(settings.timezone))
    booking = book_appointment((customer or world.other).id, world.service.id, starts_at,
                               Actor("admin", world.admin.id, world.admin.name),
                               channel="admin", fieldworker=world.fw.id)
    return SimpleNamespace(day=day, booking=booking, starts_at=starts_at)


def waiting_customers(world, day, count=3, times="any", first_day=None, numbered_from=1):
    """`count` new customers who join the waitlist for world.service on `day`, a second apart
    (join order is the order of the list returned)."""
    now = utcnow()
    people = []
    for n in range(numbered_from - 1, numbered_from - 1 + count):
        customer = person(Customer, name=f"Waiting {n + 1}", email=f"wait{n + 1}@example.com")
        entry = join(customer.id, world.service.id, first_day or day, day, times,
                     now=now + timedelta(seconds=n))
        people.append(SimpleNamespace(customer=customer, entry=entry))
    return people


@pytest.fixture
def released(world):
    """Three customers waiting (in join order) for the time world.other's visit holds."""
    only_one_fieldworker(world)
    time = booked_time(world)
    time.waiting = waiting_customers(world, time.day)
    return time


def admin_actor(world):
    return Actor("admin", world.admin.id, world.admin.name)
