"""A cancellation commits whole or not at all: fail its last write and nothing is left behind."""
import pytest

from portal.audit import AuditEvent
from portal.bookings.models import Booking
from portal.bookings.services import cancel_booking
from portal.kernel.actors import Actor
from portal.messaging.models import Notification, OutboxMessage


def test_a_failure_late_in_the_cancel_rolls_everything_back(world, notifications_fail):
    actor = Actor("customer", world.customer.id, world.customer.name)
    with pytest.raises(Exception, match="notifications are down"):
        cancel_booking(world.upcoming.ref, actor, channel="portal", note="x")
    booking = Booking.get_by_id(world.upcoming.id)
    assert (booking.status, booking.version, booking.cancel_note) == ("scheduled", 1, None)
    assert AuditEvent.select().count() == 0
    assert OutboxMessage.select().count() == 0
    assert Notification.select().count() == 0


def test_the_http_answer_is_a_clear_500_and_nothing_changed(customer_client, world,
                                                           notifications_fail):
    from tests.support.cancelling import post_cancel
    response = post_cancel(customer_client, world.upcoming, headers={"HX-Request": "true"})
    assert response.status_code == 500
    assert "Nothing was changed" in response.get_data(as_text=True)
    assert Booking.get_by_id(world.upcoming.id).status == "scheduled"
    assert OutboxMessage.select().count() == 0
