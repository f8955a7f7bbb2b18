"""row_objects.field_values reads plain fields straight from a row's data: the same values as
getattr for every name (a field set, one the row lacks, a foreign key's id, a related row,
a property), for the names the cancellation's emails and webhook read."""
from datetime import datetime

from portal.bookings.models import Booking, Service
from portal.integrations.events import FACTS
from portal.kernel.row_objects import field_values, instance
from portal.messaging.rendering import BOOKING_FIELDS
from portal.people import Customer

NAMES = tuple(dict.fromkeys(BOOKING_FIELDS + FACTS + ("service_id",)))


def test_the_values_are_getattr_s():
    made = Booking(id=4, ref="BK-1", customer=Customer(id=9, name="C"), service=Service(id=2),
                   starts_at=datetime(2026, 12, 2, 9), cancel_note=None)
    partial = instance(Booking, {"id": 5, "ref": "BK-2", "customer": 3})  # most keys absent
    for row in (made, partial):
        assert field_values(row, NAMES) == {name: getattr(row, name) for name in NAMES}
    # a related row in hand (a foreign key's object: through getattr)
    assert field_values(made, ("customer", "ref")) == {"customer": made.customer, "ref": "BK-1"}


def test_what_is_no_model_object_is_read_through_getattr():
    from types import SimpleNamespace
    thing = SimpleNamespace(id=1, name="N", email="e@example.com")
    assert field_values(thing, ("id", "name", "email")) == vars(thing)
