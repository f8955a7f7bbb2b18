"""Edit booking details (admin): the visit's address, the notes for the fieldworker, and who
does it. One transaction: the booking locked and its version checked, a new fieldworker
checked qualified and free and given the slot claims, the version bumped, an audit event with
before and after, and the fieldworkers told."""
from .. import audit
from ..kernel.clock import utcnow
from ..kernel.db import write_transaction
from ..kernel.errors import Conflict, InvalidInput, refusal
from ..kernel.versioning import check_version, update_versioned
from ..messaging.job_changes import tell_fieldworkers
from ..people import Customer, Staff
from ..people.contact_details import clean_address
from ..settings import Settings
from . import availability, claims, policy
from .models import Assignment, Booking, Service
from .new_booking import clean_notes
from .queries import assigned_staff, booking_detail
from .schedule_models import SlotClaim
from .services import STALE, lock_booking


def details_choices(ref):
    """(booking with service and customer, its fieldworkers, the fieldworkers the form offers:
    the qualified ones and whoever is on it now) or (None, [], [])."""
    booking, staff = booking_detail(ref)
    if booking is None:
        return None, [], []
    offered = {s.id: s for s in availability.qualified_staff(booking.service)}
    offered.update({s.id: s for s in staff})
    return booking, staff, sorted(offered.values(), key=lambda s: (s.name, s.id))


def _wanted(raw_ids):
    try:
        ids = sorted({int(i) for i in raw_ids or []})
    except (TypeError, ValueError):
        raise InvalidInput("Choose fieldworkers from the list.", "fieldworkers") from None
    if not ids:
        raise InvalidInput("Choose at least one fieldworker for the visit.", "fieldworkers")
    return ids


def _check_can_take(service, booking, added, settings, now):
    """Every newly added fieldworker does this service and is free for the whole visit."""
    people = {s.id: s for s in Staff.select().where(Staff.id.in_(added))}
    qualified = {s.id for s in availability.qualified_staff(service)}
    for staff_id in added:
        person = people.get(staff_id)
        if person is None or not person.active or person.role != Staff.FIELDWORKER:
            raise InvalidInput("One of the people chosen can't take bookings. Reload the page "
                               "and choose again.", "fieldworkers")
        if staff_id not in qualified:
            raise InvalidInput(f"{person.name} doesn't do {service.name}. Choose someone "
                               "qualified, or change that under Services.", "fieldworkers")
    free = set(availability.free_staff(service, booking.starts_at, booking.ends_at,
                                       settings=settings, now=now, ignore_booking=booking.id))
    busy = [people[s].name for s in added if s not in free]
    if busy:
        raise Conflict(f"{' and '.join(busy)} {'is' if len(busy) == 1 else 'are'} not free "
                       "for this visit (booked, blocked or not working). Choose someone else, "
                       "or reschedule the booking.", "staff_busy")


def _reassign(booking, wanted):
    Assignment.delete().where((Assignment.booking == booking.id)
                              & Assignment.staff.not_in(wanted)).execute()
    have = {a.staff_id for a in Assignment.select().where(Assignment.booking == booking.id)}
    new = [{"booking": booking.id, "staff": s} for s in wanted if s not in have]
    if new:
        Assignment.insert_many(new).execute()
    # A booking made with real-time availability off holds no cells; it stays that way.
    if SlotClaim.select().where(SlotClaim.booking == booking.id).exists():
        claims.hold(booking.id, wanted, booking.starts_at, booking.ends_at)


def update_details(ref, actor, *, address, notes, fieldworkers, expected_version, now=None):
    """Change the address, notes and fieldworkers of `ref`; returns (booking, changed names).
    Nothing changed is fine (an empty list); a stale `expected_version` is a Conflict."""
    now = now or utcnow()
    address, notes, wanted = clean_address(address), clean_notes(notes), _wanted(fieldworkers)
    with write_transaction():
        booking = lock_booking(ref)
        old_staff = assigned_staff(booking.id)
        old_ids = sorted(s.id for s in old_staff)
        verdict = policy.can_edit_details(booking, actor, now, changing_staff=wanted != old_ids)
        if not verdict:
            raise refusal(verdict)
        check_version(booking, expected_version, STALE)
        fields = {name: value for name, value in (("address", address), ("notes", notes))
                  if getattr(booking, name) != value}
        if not fields and wanted == old_ids:
            return booking, []
        settings, service = Settings.current(), Service.get_by_id(booking.service_id)
        if wanted != old_ids:
            _check_can_take(service, booking, [s for s in wanted if s not in old_ids],
                            settings, now)
        update_versioned(booking, expected_version, STALE, **fields)
        before = {name: getattr(booking, name) for name in fields}
        booking = Booking.get_by_id(booking.id)
        if wanted != old_ids:
            _reassign(booking, wanted)
        new_staff = assigned_staff(booking.id)
        changed = dict(fields)
        if wanted != old_ids:
            before["staff"] = [s.name for s in old_staff]
            changed["staff"] = [s.name for s in new_staff]
        audit.record("booking", booking.id, "details_changed", actor, "admin", at=now,
                     before={**before, "version": booking.version - 1},
                     after={**changed, "version": booking.version})
        customer = Customer.get_by_id(booking.customer_id)
        tell_fieldworkers(booking, customer, service, old_staff, new_staff, changed, settings)
    return booking, sorted(changed)
