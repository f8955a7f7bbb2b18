"""What can be done to a booking: each command is one transaction."""
from .. import audit
from ..db import locked, write_transaction
from ..errors import Conflict, InvalidInput, NotFound, refusal
from ..messaging import emails
from ..messaging.notify import notify_staff
from ..people import Customer, utcnow
from ..settings import CancellationReason, Settings
from ..timefmt import when
from . import policy
from .models import CANCELLED, Booking, Service
from .queries import assigned_staff

NOTE_MAX = 255


def _clean_reason_and_note(reason_id, note, settings, actor):
    """The chosen reason (an active one, or none) and the note the rules ask for."""
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"The note is {len(note)} characters; please keep it to {NOTE_MAX}.")
    reason = None
    if reason_id is not None:
        reason = CancellationReason.get_or_none((CancellationReason.id == reason_id)
                                                & CancellationReason.active)
        if reason is None:
            raise InvalidInput("Please choose a reason from the list.")
    if not note and reason is not None and reason.is_other:
        raise InvalidInput("You chose \u201cOther\u201d: please say why in the note.")
    if not note and actor.is_customer and settings.cancel_note_required:
        raise InvalidInput("Please add a short note about why you are cancelling.")
    return reason, note


def cancel_booking(ref, actor, *, channel, reason_id=None, note="", expected_version=None,
                   now=None):
    """Cancel the booking `ref` for `actor`; returns the updated Booking or raises a DomainError.

    Status, audit event, customer email and fieldworker notices commit together.
    """
    now = now or utcnow()
    with write_transaction():
        booking = locked(Booking.select().where(Booking.ref == ref)).get_or_none()
        if booking is None:
            raise NotFound("We couldn't find that booking.")
        settings = Settings.current()
        staff = assigned_staff(booking.id)
        verdict = policy.can_cancel(booking, actor, settings, now, {s.id for s in staff})
        if not verdict:
            raise refusal(verdict)
        if expected_version is not None and expected_version != booking.version:
            raise Conflict("This booking changed since the page loaded. Reload and try again.",
                           "stale")
        reason, note = _clean_reason_and_note(reason_id, note, settings, actor)
        label = reason.label if reason else None
        before = {"status": booking.status, "version": booking.version}
        changed = (Booking.update(status=CANCELLED, cancelled_at=now, cancelled_by_kind=actor.kind,
                                  cancelled_by_id=actor.id, cancel_channel=channel,
                                  cancel_reason=reason, cancel_reason_label=label,
                                  cancel_note=note or None, version=Booking.version + 1)
                   .where((Booking.id == booking.id) & (Booking.version == booking.version))
                   .execute())
        if changed != 1:  # belt and braces: the lock above should make this unreachable
            raise Conflict("This booking changed since the page loaded. Reload and try again.",
                           "stale")
        booking = Booking.get_by_id(booking.id)
        audit.record("booking", booking.id, "cancelled", actor, channel, at=now, note=note,
                     before=before, after={"status": CANCELLED, "version": booking.version,
                                           "reason": label})
        customer = Customer.get_by_id(booking.customer_id)
        service = Service.get_by_id(booking.service_id)
        emails.queue_booking_cancelled(booking, customer, service, settings)
        message = (f"Booking {booking.ref} for {customer.name} on "
                   f"{when(booking.starts_at, settings.timezone)} was cancelled"
                   + (f" ({label})" if label else ""))
        notify_staff(staff, booking, "booking_cancelled",
                     f"{message}: {note}" if note else f"{message}.")
    return booking
