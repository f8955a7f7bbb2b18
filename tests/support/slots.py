"""Finding a free start to book or move to, whatever day the tests run on."""
from datetime import timedelta

from portal.bookings.availability import free_slots
from portal.kernel.clock import utcnow
from portal.kernel.timefmt import to_local
from portal.settings import Settings


def free(service, days_ahead=5, index=0, settings=None):
    """A free start `days_ahead` business days from now (skipping days without slots)."""
    settings = settings or Settings.current()
    now = utcnow()
    day = to_local(now, settings.timezone).date() + timedelta(days=days_ahead)
    for _ in range(14):
        slots = free_slots(service, day, day, settings=settings, now=now)
        if len(slots) > index:
            return slots[index]
        day += timedelta(days=1)
    raise AssertionError("no free slots in two weeks")
