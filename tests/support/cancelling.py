"""Posting the customer cancel form, and what a cancellation leaves behind."""
from portal.audit import AuditEvent
from portal.bookings.models import Booking
from portal.messaging.models import Notification, OutboxMessage
from tests.support.forms import csrf_from

HX = {"HX-Request": "true"}


def effects(booking):
    """What a cancellation leaves behind, for 'nothing changed' checks."""
    fresh = Booking.get_by_id(booking.id)
    return {
        "status": fresh.status,
        "version": fresh.version,
        "audit": AuditEvent.select().where((AuditEvent.subject_type == "booking")
                                           & (AuditEvent.subject_id == booking.id)).count(),
        "outbox": OutboxMessage.select().count(),
        "notifications": Notification.select().count(),
    }


def unchanged(booking):
    return {"status": booking.status, "version": booking.version, "audit": 0, "outbox": 0,
            "notifications": 0}


def token(client, booking):
    return csrf_from(client.get(f"/bookings/{booking.ref}/cancel").get_data(as_text=True))


def post_cancel(client, booking, headers=None, **data):
    data.setdefault("csrf_token", token(client, booking))
    data.setdefault("version", booking.version)
    return client.post(f"/bookings/{booking.ref}/cancel", data=data, headers=headers or {})
