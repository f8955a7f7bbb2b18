"""What the report tests that count in a far-off timezone share: the business in Auckland
(12-13 hours ahead of UTC, so many appointments fall on another UTC day and month than their
local one), a local time given as naive UTC, and the person kind each channel's cancellations
are made by."""
from datetime import timezone
from zoneinfo import ZoneInfo

TZ = "Pacific/Auckland"
ZONE = ZoneInfo(TZ)
KINDS = {"portal": "customer", "email_link": "customer", "admin": "admin",
         "fieldworker": "fieldworker", "integration": "integration"}


def local_utc(local):
    """A naive Auckland wall-clock time as the naive UTC the database holds."""
    return local.replace(tzinfo=ZONE).astimezone(timezone.utc).replace(tzinfo=None)
