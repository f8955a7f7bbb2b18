"""Putting bookings on the calendar: book a new appointment, move one. Each is one transaction:
the slot is checked and claimed in the database (portal/bookings/claims.py), then the booking,
its assignment, invoice, audit event, emails and notices are written together."""
from flask_babel import gettext as _

from .. import audit
from ..billing.invoices import open_invoice
from ..integrations import events
from ..kernel.clock import utcnow
from ..kernel.db import write_transaction
from ..kernel.errors import Conflict, Forbidden, InvalidInput, NotFound, refusal
from ..kernel.timefmt import when
from ..kernel.versioning import check_version, update_versioned
from ..messaging import emails
from ..messaging.language import for_staff
from ..messaging.notify import notify_staff, others
from ..people import Customer, Staff
from ..people.contact_details import ADDRESS_MAX
from ..settings import Settings
from . import availability, claims, policy
from .models import Assignment, Booking, Service
from .queries import assigned_staff
from .services import STALE, lock_booking
from .waitlist_offers import time_released


def _real_time(actor, settings):
    """Customers get what the business chose; staff always see real availability."""
    return settings.real_time_availability if actor.is_customer else True


def _pick_staff(slot, keep_ids, fieldworker):
    """Who does the visit: the chosen fieldworker, else whoever of the current team is free,
    else the best free qualified fieldworker."""
    if fieldworker is not None:
        if fieldworker not in slot.staff_ids:
            raise Conflict(_("That fieldworker isn't free then. Pick another time or person."),
                           "slot_taken")
        return [fieldworker]
    kept = [s for s in keep_ids if s in slot.staff_ids]
    if kept:
        return kept
    if not slot.staff_ids:
        raise Conflict(_("No fieldworker is free then. Please pick another time."),
                       "slot_taken")
    return [slot.staff_ids[0]]


def _hold(booking, staff_ids, real_time):
    # With real-time availability off the business accepts overlaps (its choice in settings), so
    # such a booking holds no cells; otherwise it must win its cells or the change fails.
    if real_time:
        claims.hold(booking.id, staff_ids, booking.starts_at, booking.ends_at)
    else:
        claims.release(booking.id)


def _set_assignments(booking_id, staff_ids):
    Assignment.delete().where((Assignment.booking == booking_id)
                              & Assignment.staff.not_in(staff_ids)).execute()
    have = {a.staff_id for a in Assignment.select().where(Assignment.booking == booking_id)}
    rows = [{"booking": booking_id, "staff": s} for s in staff_ids if s not in have]
    if rows:
        Assignment.insert_many(rows).execute()


def book_appointment(customer_id, service_id, starts_at, actor, *, channel, fieldworker=None,
                     address=None, notes="", now=None):
    """Create a scheduled booking at `starts_at` (naive UTC); returns it or raises."""
    now = now or utcnow()
    with write_transaction():
        settings = Settings.current()
        customer = Customer.get_or_none(Customer.id == customer_id)
        service = Service.get_or_none((Service.id == service_id) & Service.active)
        if customer is None or service is None:
            raise NotFound("That customer or service no longer exists.")
        if actor.is_customer:
            if actor.id != customer.id:
                raise Forbidden("You can only book for yourself.")
            verdict = policy.can_book(customer, settings)
            if not verdict:
                raise Forbidden(verdict.message, verdict.code)
        real_time = _real_time(actor, settings)
        slot = availability.check_slot(service, starts_at, settings=settings, now=now,
                                       fieldworker=fieldworker, real_time=real_time)
        staff_ids = _pick_staff(slot, [], fieldworker)
        booking = Booking.create(customer=customer, service=service, starts_at=slot.starts_at,
                                 ends_at=slot.ends_at, price=service.price,
                                 address=(address or customer.address or "").strip()[:ADDRESS_MAX],
                                 notes=(notes or "").strip())
        _set_assignments(booking.id, staff_ids)
        _hold(booking, staff_ids, real_time)
        open_invoice(booking, service, settings)
        audit.record("booking", booking.id, "created", actor, channel, at=now,
                     after={"status": booking.status, "starts_at": booking.starts_at,
                            "staff": staff_ids})
        events.booking_event("booking.created", booking, actor, channel, now)
        emails.queue_booking_confirmed(booking, customer, service, settings, now)
        staff = list(Staff.select().where(Staff.id.in_(staff_ids)))
        with for_staff():
            notify_staff(staff, booking, "booking_created",
                         f"New job {booking.ref}: {service.name} for {customer.name} on "
                         f"{when(booking.starts_at, settings.timezone)}.")
    return booking


def reschedule_booking(ref, actor, *, channel, starts_at, expected_version=None,
                       fieldworker=None, now=None, customer_email: bool = True):
    """Move the booking `ref` to `starts_at` (naive UTC); returns it or raises a DomainError.
    `customer_email=False`: the caller sends one email for several moves (a series)."""
    now = now or utcnow()
    with write_transaction():
        booking = lock_booking(ref)
        settings = Settings.current()
        old_staff = assigned_staff(booking.id)
        verdict = policy.can_reschedule(booking, actor, settings, now, {s.id for s in old_staff})
        if not verdict:
            raise refusal(verdict)
        check_version(booking, expected_version, STALE)  # before the slot is even looked at
        if starts_at == booking.starts_at:
            raise InvalidInput(_("That is the time it already has. Pick a different time."))
        if fieldworker is not None and not actor.acts_for_business:
            raise Forbidden("Only staff can choose the fieldworker.")
        service = Service.get_by_id(booking.service_id)
        real_time = _real_time(actor, settings)
        slot = availability.check_slot(service, starts_at, settings=settings, now=now,
                                       fieldworker=fieldworker, ignore_booking=booking.id,
                                       real_time=real_time)
        staff_ids = _pick_staff(slot, [s.id for s in old_staff], fieldworker)
        old_starts_at, old_ends_at = booking.starts_at, booking.ends_at
        update_versioned(booking, expected_version, STALE, starts_at=slot.starts_at,
                         ends_at=slot.ends_at, reschedule_count=Booking.reschedule_count + 1)
        booking = Booking.get_by_id(booking.id)
        _set_assignments(booking.id, staff_ids)
        _hold(booking, staff_ids, real_time)
        time_released(old_starts_at, old_ends_at, now=now, settings=settings,
                      released_from=booking.id)  # the old time, to the waitlist
        new_staff = assigned_staff(booking.id)
        audit.record("booking", booking.id, "rescheduled", actor, channel, at=now,
                     before={"starts_at": old_starts_at, "staff": [s.name for s in old_staff]},
                     after={"starts_at": booking.starts_at,
                            "staff": [s.name for s in new_staff],
                            "version": booking.version})
        events.booking_event("booking.rescheduled", booking, actor, channel, now,
                             previous={"starts_at": events.iso(old_starts_at)})
        customer = Customer.get_by_id(booking.customer_id)
        if customer_email:
            emails.queue_booking_rescheduled(booking, customer, service, settings,
                                             old_starts_at, now)
        emails.queue_staff_booking_rescheduled(booking, customer, service, old_staff,
                                               new_staff, settings, old_starts_at)
        tz = settings.timezone
        everyone = {s.id: s for s in [*old_staff, *new_staff]}.values()
        with for_staff():
            notify_staff(others(everyone, actor), booking, "booking_rescheduled",
                         f"Booking {booking.ref} for {customer.name} moved from "
                         f"{when(old_starts_at, tz)} to {when(booking.starts_at, tz)}.")
    return booking
