"""The admin's Today view: one day's (or week's) bookings in the business timezone, and the jobs
that need closing (still Scheduled after their end), in a fixed number of queries."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from peewee import fn

from ..kernel.input_limits import year_ok
from ..kernel.listing import day_terms, parse_id, shown
from ..kernel.timefmt import to_local
from ..people import Customer, Staff
from .models import SCHEDULED, Assignment, Booking, Service

SPANS = {"day": 1, "week": 7}
# Open jobs listed at most: enough for any small business's backlog, and the page says how many
# more there are rather than growing without bound.
NEEDS_CLOSING_LIMIT = 50


@dataclass(frozen=True)
class AgendaFilter:
    day: date
    span: str = "day"
    fieldworker: int | None = None
    notes: tuple = ()

    @classmethod
    def from_args(cls, args, tz, now):
        """The day, span and fieldworker in these query args; bad values become notes."""
        notes = []
        today = to_local(now, tz).date()
        raw = (args.get("day") or "").strip()
        day = today
        if raw:
            try:
                day = date.fromisoformat(raw)
                if not year_ok(day):
                    raise ValueError
            except ValueError:
                notes.append(f"“{shown(raw)}” is not a date; showing today.")
                day = today
        span = args.get("span", "day")
        if span not in SPANS:
            notes.append(f"“{shown(span)}” is neither a day nor a week; showing a day.")
            span = "day"
        if span == "week":  # a week starts on Monday, so its links are stable
            day -= timedelta(days=day.weekday())
        fieldworker = parse_id(args.get("fieldworker"), "fieldworker", notes)
        return cls(day=day, span=span, fieldworker=fieldworker, notes=tuple(notes))

    @property
    def days(self):
        return SPANS[self.span]

    @property
    def last_day(self):
        return self.day + timedelta(days=self.days - 1)

    def to_args(self, **changes):
        """URL args for this view with changes; defaults left out so links stay short."""
        values = {"day": self.day, "span": self.span, "fieldworker": self.fieldworker, **changes}
        args = {"day": values["day"].isoformat(),
                "span": values["span"] if values["span"] != "day" else None,
                "fieldworker": values["fieldworker"]}
        return {key: value for key, value in args.items() if value is not None}

    def step(self, direction):
        """Args for the previous (-1) or next (+1) day or week."""
        return self.to_args(day=self.day + timedelta(days=direction * self.days))


@dataclass(frozen=True)
class Agenda:
    days: list  # [(date, [AgendaRow])], every day of the span, empty ones included
    needs_closing: list  # [AgendaRow], oldest first
    more_to_close: bool
    fieldworkers: list  # (id, name, active) for the filter


@dataclass(frozen=True)
class AgendaRow:
    booking: Booking  # with customer and service
    fieldworkers: list  # names
    unfinished: bool  # still Scheduled after its end: someone has to close it


def _assigned_to(staff_id):
    return fn.EXISTS(Assignment.select(Assignment.id).where(
        (Assignment.booking == Booking.id) & (Assignment.staff == staff_id)))


def _rows_query(*terms):
    # Only the columns the page shows: a customer row also carries their password hash.
    return (Booking.select(Booking, Customer.id, Customer.name, Customer.email, Customer.phone,
                           Service.id, Service.name)
            .join(Customer).switch(Booking).join(Service).where(*terms))


def agenda(flt: AgendaFilter, tz: str, now) -> Agenda:
    """The span's bookings (cancelled ones too, marked as such) and the open past jobs, in four
    queries: the span, the jobs to close, every shown booking's fieldworkers, the filter's
    fieldworkers."""
    mine = [_assigned_to(flt.fieldworker)] if flt.fieldworker else []
    span = day_terms(Booking.starts_at, flt.day, flt.last_day, tz)
    in_span = list(_rows_query(*span, *mine)
                   .order_by(Booking.starts_at, Booking.id))
    # starts_at <= now adds nothing (a booking ends after it starts) but bounds the walk of
    # the (status, starts_at) index: without it the search went through every booking still
    # to come before it knew there were no more open past ones.
    open_past = list(_rows_query((Booking.status == SCHEDULED) & (Booking.starts_at <= now)
                                 & (Booking.ends_at <= now), *mine)
                     .order_by(Booking.starts_at, Booking.id).limit(NEEDS_CLOSING_LIMIT + 1))
    more = len(open_past) > NEEDS_CLOSING_LIMIT
    open_past = open_past[:NEEDS_CLOSING_LIMIT]
    ids = {b.id for b in in_span} | {b.id for b in open_past}
    names = defaultdict(list)
    if ids:
        for booking_id, name in (Assignment.select(Assignment.booking, Staff.name).join(Staff)
                                 .where(Assignment.booking.in_(sorted(ids)))
                                 .order_by(Staff.name).tuples()):
            names[booking_id].append(name)

    def row(b):
        return AgendaRow(b, names[b.id], b.status == SCHEDULED and b.ends_at <= now)

    by_day = defaultdict(list)
    for b in in_span:
        by_day[to_local(b.starts_at, tz).date()].append(row(b))
    days = [(d, by_day[d]) for d in (flt.day + timedelta(days=i) for i in range(flt.days))]
    fieldworkers = list(Staff.select(Staff.id, Staff.name, Staff.active)
                        .where(Staff.role == Staff.FIELDWORKER).order_by(Staff.name).tuples())
    return Agenda(days, [row(b) for b in open_past], more, fieldworkers)
