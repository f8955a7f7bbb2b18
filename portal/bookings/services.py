"""What can be done to a booking: each command is one transaction."""
from flask_babel import gettext as _
from peewee import JOIN

from .. import audit
from ..billing.booking_refunds import paid_before_cancel, request_cancel_refund
from ..billing.fees import charge_cancellation, credit_service, fee_tiers
from ..billing.invoices import add_fee, after_cancel
from ..billing.models import NO_SHOW_FEE, Invoice
from ..billing.money import check_fee
from ..integrations import events, sync
from ..kernel.clock import utcnow
from ..kernel.compiled import Compiled
from ..kernel.db import locked, write_transaction
from ..kernel.errors import Forbidden, InvalidInput, NotFound, refusal
from ..kernel.i18n import N_
from ..kernel.input_limits import NOTE_MAX
from ..kernel.timefmt import when
from ..kernel.versioning import apply_versioned
from ..messaging import emails, outbox
from ..messaging.language import for_staff
from ..messaging.notify import notify_staff, others
from ..people import Customer
from ..settings import CancellationReason, Settings
from . import claims, policy
from .cancel_reads import after_lock
from .models import CANCELLED, COMPLETED, NO_SHOW, Booking, Service
from .queries import assigned_staff
from .waitlist_offers import time_released

# translated where it is raised (kernel/versioning)
STALE = N_("This booking changed since the page loaded. Reload and try again.")


def _clean_note(note):
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(_("The note is %(length)s characters; please keep it to %(most)s.",
                             length=len(note), most=NOTE_MAX))
    return note


def _clean_reason_and_note(reason_id, note, settings, actor):
    """The chosen reason (an active one, or none) and the note the rules ask for."""
    note = _clean_note(note)
    reason = None
    if reason_id is not None:
        reason = CancellationReason.get_or_none((CancellationReason.id == reason_id)
                                                & CancellationReason.active)
        if reason is None:
            raise InvalidInput(_("Please choose a reason from the list."))
    if not note and reason is not None and reason.is_other:
        raise InvalidInput(_("You chose \u201cOther\u201d: please say why in the note."))
    if not note and actor.is_customer and settings.cancel_note_required:
        raise InvalidInput(_("Please add a short note about why you are cancelling."))
    return reason, note


def _clean_fee(fee, actor):
    """A fee only an admin may charge, within sane bounds; None or 0 means no fee line."""
    if not fee:
        return None
    if actor.kind != "admin":
        raise Forbidden("Only an admin can add a fee to the invoice.", "no_permission")
    return check_fee(fee)


# The cancel's lock, its SQL built once (kernel/compiled.py): building it cost more than running it.
_LOCK_WITH_PARTIES = Compiled(lambda ref: locked(
    Booking.select(Booking, Service, Customer, Invoice).join(Service)
    .switch(Booking).join(Customer)
    .switch(Booking).join(Invoice, JOIN.LEFT_OUTER, on=(Invoice.booking == Booking.id),
                          attr="invoice_row")
    .where(Booking.ref == ref).limit(1), of=Booking), 1)


def lock_booking(ref, with_parties=False):
    """The booking row, locked for the rest of the transaction; `with_parties` reads its
    service, customer and invoice (None when it has none) in the same statement
    (booking.service, booking.customer, booking.invoice_row), leaving their rows unlocked so
    other bookings of the service or customer carry on. A booking's invoice is only created
    with the booking or by a change that holds this lock and ends the booking, so the one
    read here is still the one when the lock is ours."""
    if with_parties:
        booking = _LOCK_WITH_PARTIES.first(ref)
    else:
        booking = locked(Booking.select().where(Booking.ref == ref), of=Booking).get_or_none()
    if booking is None:
        raise NotFound(_("We couldn't find that booking."))
    return booking


def _change(booking, expected_version, **fields):
    """Write `fields` and bump the version, only if nobody changed the booking meanwhile."""
    apply_versioned(booking, expected_version, STALE, **fields)
    return booking


def cancel_booking(ref, actor, *, channel, reason_id=None, note="", expected_version=None,
                   fee=None, now=None, settings: Settings | None = None,
                   customer_email: bool = True) -> Booking:
    """Cancel the booking `ref` for `actor`; returns the updated Booking or raises a DomainError.

    Status, invoice lines (the visit credited, any fee charged), audit event, customer email
    and fieldworker notices commit together. `fee` (minor units) is an admin's chosen
    cancellation fee; customers are charged the late-cancellation tier they fall in.
    `settings`: the row the caller already read this request (read here when None).
    The booking returned holds its new values, its service and customer, in `assigned`
    its staff as read under the lock, and in `invoice_after` its InvoiceSummary (or None):
    the rows a page redraws the booking from.
    `customer_email=False`: the caller sends the customer one email for several cancellations
    (bookings/series_cancel.py), so this one queues none of its own.
    """
    now = now or utcnow()
    with write_transaction():
        booking = lock_booking(ref, with_parties=True)
        service, customer = booking.service, booking.customer  # read with the lock, not again
        settings = settings or Settings.current()
        # the staff, service lines, payments and waitlist, read once the lock is ours
        read = after_lock(booking, booking.invoice_row, now, settings.timezone)
        staff = read.staff
        verdict = policy.can_cancel(booking, actor, settings, now, {s.id for s in staff})
        if not verdict:
            raise refusal(verdict)
        reason, note = _clean_reason_and_note(reason_id, note, settings, actor)
        fee = _clean_fee(fee, actor)
        late = False
        if actor.is_customer:  # customers pay the late-cancellation tier they fall in, if any
            fee = policy.late_fee(booking, fee_tiers(settings), now) or None
            late = bool(fee)
        label = reason.label if reason else None
        before = {"status": booking.status, "version": booking.version}
        booking = _change(booking, expected_version, status=CANCELLED, cancelled_at=now,
                          cancelled_by_kind=actor.kind, cancelled_by_id=actor.id,
                          cancel_channel=channel, cancel_reason=reason,
                          cancel_reason_label=label, cancel_note=note or None)
        claims.release(booking.id)  # the time is free for someone else at once
        time_released(booking.starts_at, booking.ends_at, now=now, settings=settings,
                      released_from=booking.id,  # offered to the waitlist, in this transaction
                      anyone_waiting=read.anyone_waiting)
        # None: nothing paid, nothing to give back
        paid = paid_before_cancel(booking.invoice_row, any_paid=read.paid)
        invoice, added = credit_service(booking, service, settings, booking.invoice_row,
                                        lines=read.service_lines)
        if fee:
            added.append(charge_cancellation(booking, service, settings, fee, late, invoice))
        refund = paid and request_cancel_refund(paid, booking, fee, actor, settings,
                                                channel=channel)
        audit.record("booking", booking.id, "cancelled", actor, channel, at=now, note=note,
                     before=before, after={"status": CANCELLED, "version": booking.version,
                                           "reason": label, "fee": fee, "late_fee": late,
                                           **({"refund": refund.amount} if refund else {})})
        # webhooks (from the rows in hand); the manual-update notice
        sync.booking_cancelled(booking, actor, channel, now,
                               known=(settings, staff, service, customer))
        with for_staff():
            starts = when(booking.starts_at, settings.timezone)  # as staff read it
            message = (f"Booking {booking.ref} for {customer.name} on {starts} was cancelled"
                       + (f" ({label})" if label else ""))
        told = others(staff, actor)
        notify_staff(told, booking, "booking_cancelled",
                     f"{message}: {note}" if note else f"{message}.")
        with outbox.one_insert():  # the customer's email and each fieldworker's, together
            values = emails.cancellation_values(booking, settings)  # taken once for both
            if customer_email:
                emails.queue_booking_cancelled(booking, customer, service, settings, fee=fee,
                                               refund=refund, values=values)
            emails.queue_staff_booking_cancelled(booking, customer, service, told, settings,
                                                 values=values, starts=starts)
    booking.assigned = staff
    # the invoice as the card shows it, from what the cancellation read and wrote (None when
    # something was paid or refunded: the page reads those)
    booking.invoice_after = after_cancel(invoice, read.lines, added, paid=read.paid,
                                         refunded=read.refunded)
    return booking


def _close_visit(ref, actor, *, status, rule, action, channel, note, expected_version, fee,
                 now):
    """Give a visit whose time has come its final status: completed or no-show."""
    now = now or utcnow()
    with write_transaction():
        booking = lock_booking(ref)
        staff = assigned_staff(booking.id)
        verdict = rule(booking, actor, now, {s.id for s in staff})
        if not verdict:
            raise refusal(verdict)
        note = _clean_note(note)
        fee = _clean_fee(fee, actor)
        before = {"status": booking.status, "version": booking.version}
        booking = _change(booking, expected_version, status=status)
        claims.release(booking.id)
        if status == NO_SHOW:  # what is left of the visit's time may suit someone waiting
            time_released(booking.starts_at, booking.ends_at, now=now, released_from=booking.id)
        if fee:
            settings = Settings.current()
            add_fee(booking, Service.get_by_id(booking.service_id), settings, NO_SHOW_FEE,
                    "No-show fee", fee)
        audit.record("booking", booking.id, action, actor, channel, at=now, note=note,
                     before=before, after={"status": status, "version": booking.version,
                                           "fee": fee})
        events.booking_event(f"booking.{action}", booking, actor, channel, now,
                             note=note or None)
    return booking


def mark_no_show(ref, actor, *, channel, note="", expected_version=None, fee=None, now=None):
    """Record that the customer did not turn up (FTA/DNA), optionally charging a no-show fee."""
    return _close_visit(ref, actor, status=NO_SHOW, rule=policy.can_mark_no_show,
                        action="no_show", channel=channel, note=note,
                        expected_version=expected_version, fee=fee, now=now)


def mark_completed(ref, actor, *, channel, note="", expected_version=None, now=None):
    """Record that the visit took place."""
    return _close_visit(ref, actor, status=COMPLETED, rule=policy.can_complete,
                        action="completed", channel=channel, note=note,
                        expected_version=expected_version, fee=None, now=now)
