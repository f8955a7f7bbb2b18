"""What the report tests that count in a far-off timezone share: the business in Auckland
(12-13 hours ahead of UTC, so many appointments fall on another UTC day and month than their
local one), a local time given as naive UTC, and the person kind each channel's cancellations
are made by."""
from datetime import timezone
from zoneinfo import ZoneInfo

from portal.bookings.models import Service
from portal.people import Customer, Staff
from portal.settings import Settings
from tests.support.factories import person

TZ = "Pacific/Auckland"
ZONE = ZoneInfo(TZ)
KINDS = {"portal": "customer", "email_link": "customer", "admin": "admin",
         "fieldworker": "fieldworker", "integration": "integration"}


def local_utc(local):
    """A naive Auckland wall-clock time as the naive UTC the database holds."""
    return local.replace(tzinfo=ZONE).astimezone(timezone.utc).replace(tzinfo=None)


def auckland_business(workers=("Fred", "Gina", "Hal")):
    """The business set to Auckland time with one customer, these fieldworkers and two
    services (Clean at 100.00, Windows at 60.00): (customer, workers, services)."""
    settings = Settings.current()
    settings.timezone = TZ
    settings.save()
    customer = person(Customer, name="Casey Customer", email="casey@example.com")
    staff = [person(Staff, name=name, email=f"{name.lower()}@example.com", role="fieldworker")
             for name in workers]
    services = [Service.create(name=name, duration_minutes=60, price=price)
                for name, price in (("Clean", 10000), ("Windows", 6000))]
    return customer, staff, services
