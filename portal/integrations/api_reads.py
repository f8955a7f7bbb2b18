"""What outside systems read through the API: bookings by filter and cursor, one booking, a
service's free starts. Each read runs a fixed number of queries, however many rows it returns.

A booking's "updated" time is its newest audit event (every change writes one, in the same
transaction), else when it was made: the list can then ask "what changed since" without a
column every write path would have to remember to touch.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import JOIN, fn

from ..audit import AuditEvent
from ..bookings import availability
from ..bookings.models import Assignment, Booking, Service
from ..kernel.errors import InvalidInput, NotFound
from ..kernel.input_limits import MAX_ID
from ..kernel.timefmt import to_local
from ..people import Customer, Staff
from ..settings import CancellationReason, Settings
from .models import Integration

PAGE_MAX = 100
AHEAD_DAYS = 366  # how far ahead free starts are offered
NOT_FOUND = "We couldn't find that booking. Check the reference."


@dataclass(frozen=True)
class BookingQuery:
    status: str | None = None
    starts_from: datetime | None = None  # naive UTC, inclusive
    starts_to: datetime | None = None    # naive UTC, exclusive
    updated_since: datetime | None = None
    external_ref: str | None = None      # the calling integration's id for a booking
    integration_id: int | None = None
    after: tuple | None = None           # (starts_at, id) of the last booking already seen
    limit: int = 50


@dataclass(frozen=True)
class BookingRecord:
    booking: Booking  # with its service, customer and integration
    staff: list
    updated_at: datetime


@dataclass(frozen=True)
class BookingPage:
    records: list
    after: tuple | None  # the cursor for the next page; None on the last page


def _stamp(value):
    """An aggregate's raw value (SQLite hands back text) as a naive datetime."""
    return value if value is None or isinstance(value, datetime) else \
        datetime.fromisoformat(value)


def _bookings():
    return (Booking.select(Booking, Service, Customer, Integration)
            .join(Service).switch(Booking).join(Customer)
            .switch(Booking).join(Integration, JOIN.LEFT_OUTER))


def _records(bookings):
    """Each booking with its fieldworkers and last change: two queries for the whole page."""
    ids = [b.id for b in bookings]
    staff, last = defaultdict(list), {}
    if ids:
        for assignment in (Assignment.select(Assignment, Staff).join(Staff)
                           .where(Assignment.booking.in_(ids)).order_by(Staff.name, Staff.id)):
            staff[assignment.booking_id].append(assignment.staff)
        last = {subject_id: _stamp(at) for subject_id, at in (
            AuditEvent.select(AuditEvent.subject_id, fn.MAX(AuditEvent.created_at))
            .where((AuditEvent.subject_type == "booking") & AuditEvent.subject_id.in_(ids))
            .group_by(AuditEvent.subject_id).tuples())}
    return [BookingRecord(b, staff[b.id], max(filter(None, (b.created_at, last.get(b.id)))))
            for b in bookings]


def _conditions(query):
    conds = []
    if query.status:
        conds.append(Booking.status == query.status)
    if query.starts_from:
        conds.append(Booking.starts_at >= query.starts_from)
    if query.starts_to:
        conds.append(Booking.starts_at < query.starts_to)
    if query.updated_since:
        changed = AuditEvent.select(AuditEvent.subject_id).where(
            (AuditEvent.subject_type == "booking") & (AuditEvent.created_at >= query.updated_since))
        conds.append((Booking.created_at >= query.updated_since) | Booking.id.in_(changed))
    if query.external_ref is not None:
        conds.append((Booking.integration == query.integration_id)
                     & (Booking.external_ref == query.external_ref))
    if query.after:
        starts_at, booking_id = query.after
        conds.append((Booking.starts_at > starts_at)
                     | ((Booking.starts_at == starts_at) & (Booking.id > booking_id)))
    return conds


def find_bookings(query):
    """One page of bookings in start order (then id), and the cursor for the next."""
    select = _bookings()
    conds = _conditions(query)
    if conds:
        select = select.where(*conds)
    rows = list(select.order_by(Booking.starts_at, Booking.id).limit(query.limit + 1))
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    return BookingPage(_records(rows), (rows[-1].starts_at, rows[-1].id) if more else None)


def booking_record(ref):
    """The booking `ref` as the API shows it; NotFound when there is none."""
    booking = _bookings().where(Booking.ref == ref).get_or_none() if len(ref) <= 12 else None
    if booking is None:
        raise NotFound(NOT_FOUND)
    return _records([booking])[0]


def reason_id(chosen_id, label):
    """The cancellation reason an API caller named by id or by label (either may be None)."""
    if label is not None:
        reason = CancellationReason.get_or_none(
            (fn.LOWER(CancellationReason.label) == label.strip().lower())
            & CancellationReason.active)
        if reason is None:
            raise InvalidInput(f"No active cancellation reason is called \u201c{label[:80]}\u201d. "
                               "Send one of the labels the business uses, or leave it out.",
                               "reason")
        if chosen_id is not None and chosen_id != reason.id:
            raise InvalidInput("reason_id and reason name different reasons. Send one of them.",
                               "reason")
        return reason.id
    return chosen_id


def free_starts(service_id, day, fieldworker_id, now):
    """(business timezone, free Slots) for an active service on a local day, today or within a
    year; the same check every booking and move passes (real-time availability)."""
    service = Service.get_or_none((Service.id == service_id) & Service.active) \
        if service_id <= MAX_ID else None
    if service is None:
        raise NotFound("We couldn't find that service, or it is no longer offered.")
    settings = Settings.current()
    today = to_local(now, settings.timezone).date()
    if not today <= day <= today + timedelta(days=AHEAD_DAYS):
        raise InvalidInput(f"Ask for a date from today ({today.isoformat()}) to "
                           f"{AHEAD_DAYS} days ahead.", "date")
    return settings.timezone, availability.free_slots(
        service, day, day, settings=settings, now=now, fieldworker=fieldworker_id,
        real_time=True)
