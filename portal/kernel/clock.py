"""The one clock: every "now" in Rebook comes from here (tests set the process clock
with faketime, or pass `now` to services)."""
from datetime import datetime, timezone


def utcnow():
    """Naive UTC, the form every timestamp is stored in."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
