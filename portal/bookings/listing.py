"""The admin's All bookings list: a filter read from the URL, one page of rows in fixed queries."""
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from peewee import fn

from ..kernel.listing import (PAGE_SIZE, Page, count_upto, day_terms, last_page, parse_date_range,
                              parse_id, parse_page, parse_search, shown)
from ..people import Customer, Staff
from .models import CANCELLED, NO_SHOW, SCHEDULED, Assignment, Booking, Service

VIEWS = {"upcoming": "Upcoming", "past": "Past", "cancelled": "Cancelled", "no_show": "No-show",
         "all": "All"}
# "All", newest first, is what this page always showed (and what links and tests expect of a
# bare /admin/bookings: cancelled bookings stay listed); "Show" narrows it from there.
DEFAULT_VIEW = "all"


def usual_order(view):
    """Upcoming reads soonest first; every other list newest first."""
    return "asc" if view == "upcoming" else "desc"


@dataclass(frozen=True)
class BookingFilter:
    view: str = DEFAULT_VIEW
    date_from: date | None = None  # business-timezone dates, both days included
    date_to: date | None = None
    fieldworker: int | None = None
    service: int | None = None
    q: str = ""
    sort: str | None = None  # "asc" / "desc" by start time; None: the view's usual order
    page: int = 1
    tz: str = "UTC"
    notes: tuple = ()  # what was wrong with the URL, for the page to say

    @classmethod
    def from_args(cls, args, tz):
        """The filter in these query args; unusable values become notes, never errors."""
        notes = []
        view = args.get("view", "")
        if view and view not in VIEWS:
            notes.append(f"“{shown(view)}” is not a list of bookings; showing "
                         f"{VIEWS[DEFAULT_VIEW]}.")
        date_from, date_to = parse_date_range(args, tz, notes)
        q = parse_search(args, notes)
        sort = args.get("sort")
        return cls(view=view if view in VIEWS else DEFAULT_VIEW,
                   date_from=date_from, date_to=date_to,
                   fieldworker=parse_id(args.get("fieldworker"), "fieldworker", notes),
                   service=parse_id(args.get("service"), "service", notes),
                   q=q, sort=sort if sort in ("asc", "desc") else None,
                   page=parse_page(args.get("page"), notes), tz=tz, notes=tuple(notes))

    @property
    def order(self):
        return self.sort or usual_order(self.view)

    @property
    def is_narrowed(self):
        """Anything beyond the default view, so the page can offer to clear it."""
        return bool(self.to_args(page=1, sort=None))

    def to_args(self, **changes):
        """URL args for this filter (with changes), defaults left out so links stay short."""
        f = replace(self, **changes) if changes else self
        args = {"view": f.view if f.view != DEFAULT_VIEW else None,
                "from": f.date_from.isoformat() if f.date_from else None,
                "to": f.date_to.isoformat() if f.date_to else None,
                "fieldworker": f.fieldworker, "service": f.service, "q": f.q or None,
                "sort": f.sort if f.sort not in (None, usual_order(f.view)) else None,
                "page": f.page if f.page > 1 else None}
        return {key: value for key, value in args.items() if value is not None}

    def conditions(self, now):
        """The WHERE terms for this filter; search terms need Customer joined."""
        terms = []
        if self.view == "upcoming":
            terms.append((Booking.status == SCHEDULED) & (Booking.starts_at > now))
        elif self.view == "past":
            terms.append((Booking.starts_at <= now) & (Booking.status != CANCELLED))
        elif self.view in (CANCELLED, NO_SHOW):
            terms.append(Booking.status == self.view)
        terms += day_terms(Booking.starts_at, self.date_from, self.date_to, self.tz)
        if self.fieldworker:
            # A subquery, not a join: a booking with two fieldworkers must stay one row. EXISTS
            # lets SQLite walk bookings in time order and stop at the page (the unique
            # (booking, staff) index answers each probe); IN sorted all of a worker's jobs.
            terms.append(fn.EXISTS(Assignment.select(Assignment.id).where(
                (Assignment.booking == Booking.id) & (Assignment.staff == self.fieldworker))))
        if self.service:
            terms.append(Booking.service == self.service)
        if self.q:
            # contains() is ILIKE (LIKE on SQLite, ASCII case-insensitive) and escapes % and _.
            terms.append(Customer.name.contains(self.q) | Customer.email.contains(self.q)
                         | Booking.ref.contains(self.q))
        return terms


def find_bookings(flt, now):
    """One page of matching bookings in three queries: the count (bounded, see count_upto),
    the rows (customer and service joined), and the fieldworkers for just those rows.

    Each row is (booking, fieldworker names, fieldworker ids): the ids let the row menu ask
    the policy what may be done without another query per row (bookings/page.row_actions)."""
    terms = flt.conditions(now)
    counted = Booking.select(Booking.id)
    if flt.q:  # only a search looks at the customer; other counts stay on booking's indexes
        counted = counted.join(Customer)
    total, more = count_upto(counted.where(*terms) if terms else counted, flt.page)
    pages, page, notes = last_page(total, more, flt.page)
    ordered = (Booking.starts_at.asc(), Booking.id.asc()) if flt.order == "asc" else (
        Booking.starts_at.desc(), Booking.id.desc())
    # Only the columns the table shows: a customer row also carries their password hash.
    query = (Booking.select(Booking, Customer.id, Customer.name, Customer.email, Service.id,
                            Service.name).join(Customer).switch(Booking).join(Service))
    rows = list((query.where(*terms) if terms else query).order_by(*ordered)
                .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    names, ids = defaultdict(list), defaultdict(set)
    for booking_id, staff_id, name in (
            Assignment.select(Assignment.booking, Staff.id, Staff.name).join(Staff)
            .where(Assignment.booking.in_([b.id for b in rows])).order_by(Staff.name).tuples()):
        names[booking_id].append(name)
        ids[booking_id].add(staff_id)
    return Page([(b, names[b.id], frozenset(ids[b.id])) for b in rows], total, page, pages,
                notes, more)


def filter_options():
    """The choices for the filter selects: fieldworkers and services, each one query."""
    fieldworkers = list(Staff.select(Staff.id, Staff.name, Staff.active)
                        .where(Staff.role == Staff.FIELDWORKER).order_by(Staff.name).tuples())
    services = list(Service.select(Service.id, Service.name, Service.active)
                    .order_by(Service.name).tuples())
    return {"fieldworkers": fieldworkers, "services": services}
