"""Keeping a linked outside system in step with a cancellation, and saying when it can't be.

A system that applies cancellations itself needs nothing more; for one that can't
(Integration.applies_cancellations off), the cancel dialog says "Manual update required:
also cancel this booking in <system>".
"""
from dataclasses import dataclass

from ..audit.text import who
from ..messaging.notify import notify_staff
from ..people import Staff
from . import events
from .models import Integration


@dataclass(frozen=True)
class ManualUpdate:
    system: str  # the integration's name, as staff know it
    external_ref: str | None  # the booking's id in that system, when we know it


def cancels_automatically(integration):
    """Does this system hear of our cancellations (the webhook) and apply them itself?"""
    return bool(integration.active and integration.applies_cancellations
                and integration.endpoint_url and "booking.cancelled" in integration.event_list)


def manual_update(booking, actor=None):
    """The system a cancellation of `booking` must also be made in by hand, or None.

    None when the booking isn't linked, when its system applies cancellations itself, or when
    the system is the one cancelling (through the API). No query for unlinked bookings.
    """
    if booking.integration_id is None:
        return None
    if actor is not None and actor.kind == "integration" and actor.id == booking.integration_id:
        return None
    integration = Integration.get_or_none(Integration.id == booking.integration_id)
    if integration is None or cancels_automatically(integration):
        return None
    return ManualUpdate(integration.name, booking.external_ref)


def manual_update_notice(booking, actor):
    """The cancel dialog's "Manual update required" alert for `actor`, or None.

    Staff see it: they can update the business's own systems. A customer can't, so their
    dialog stays as it is and the admins are told when the cancellation is made instead.
    """
    return manual_update(booking, actor) if actor.is_staff else None


def booking_cancelled(booking, actor, channel, now=None, known=None):
    """Tell outside systems of a cancellation, inside its transaction: the booking.cancelled
    webhook to subscribers and, when the linked system needs a manual update and no admin
    was shown the alert, a notice to every active admin."""
    events.booking_event("booking.cancelled", booking, actor, channel, now, known=known)
    todo = manual_update(booking, actor)
    if todo is None or actor.kind == "admin":
        return
    where = f" (its reference there: {todo.external_ref})" if todo.external_ref else ""
    admins = Staff.select(Staff.id).where((Staff.role == Staff.ADMIN) & Staff.active)
    notify_staff(admins, booking, "manual_update_required",
                 f"Manual update required: booking {booking.ref} was cancelled "
                 f"{who(actor.label, actor.kind, channel)}; also cancel it "
                 f"in {todo.system}{where}.")
