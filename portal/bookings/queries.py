"""The reads pages need, each fetched up front in a fixed number of queries."""
from datetime import timedelta

from peewee import JOIN, fn

from ..kernel.beside import Along
from ..kernel.compiled import Compiled
from ..people import Customer, Staff
from .models import SCHEDULED, Assignment, Booking, Service

VIEWS = ("upcoming", "past", "cancelled", "all")
WINDOW = 20  # rows a customer's or fieldworker's list shows at once; links page on from there


def _is_upcoming(now):
    return (Booking.status == SCHEDULED) & (Booking.starts_at > now)


def window(query, page, size=WINDOW):
    """(rows, more): the `page`th run of `size` rows of `query`, one extra row fetched to know
    whether more follow, so a list costs the same however many rows match."""
    rows = list(query.limit(size + 1).offset((page - 1) * size))
    return rows[:size], len(rows) > size


def customer_bookings(customer_id, view, now):
    """A customer's bookings for one tab of 'My bookings', with their services."""
    query = (Booking.select(Booking, Service).join(Service)
             .where(Booking.customer == customer_id))
    if view == "upcoming":
        return query.where(_is_upcoming(now)).order_by(Booking.starts_at)
    if view == "cancelled":
        query = query.where(Booking.status == "cancelled")
    elif view == "past":  # by time alone: a cancelled visit still to come is not past
        query = query.where(Booking.starts_at <= now)
    return query.order_by(Booking.starts_at.desc())


def booking_detail(ref, customer_id=None, rows=None):
    """(booking with service and customer, assigned staff) or None; customer_id limits to theirs.
    One statement: the booking joined to its fieldworkers, a row each (one row with none).
    `rows`: that statement's rows for `ref` already read with the person (read_for_staff)."""
    if rows is None:
        rows = _DETAIL_BY_REF.rows(ref) if customer_id is None \
            else _DETAIL_BY_REF_FOR.rows(ref, customer_id)
    if not rows:
        return None, []
    # Peewee hangs each row's fieldworker on its assignment; a booking without any has none.
    staff = [row.assignment.staff for row in rows if getattr(row, "assignment", None)]
    return rows[0], staff


def detail_query(condition):
    """The booking page's statement: the booking with its service, customer and fieldworkers."""
    # The ref is unique: one booking, as many rows as it has fieldworkers, in name order.
    return (Booking.select(Booking, Service, Customer, Staff).join(Service)
            .switch(Booking).join(Customer)
            .switch(Booking).join(Assignment, JOIN.LEFT_OUTER)
            .join(Staff, JOIN.LEFT_OUTER).where(condition).order_by(Staff.name, Staff.id))


# The booking page's query, its SQL built once (see kernel.compiled).
_DETAIL_BY_REF = Compiled(lambda ref: detail_query(Booking.ref == ref), 1)
_DETAIL_BY_REF_FOR = Compiled(
    lambda ref, customer: detail_query((Booking.ref == ref) & (Booking.customer == customer)), 2)
_STAFF = Compiled(lambda booking: Staff.select().join(Assignment)
                  .where(Assignment.booking == booking).order_by(Staff.name), 1)


def booking_detail_where(condition):
    booking = (Booking.select(Booking, Service, Customer).join(Service)
               .switch(Booking).join(Customer).where(condition).get_or_none())
    if booking is None:
        return None, []
    return booking, assigned_staff(booking.id)


def booking_for_link(booking_id, customer_id):
    """The booking a signed link names, only while it still belongs to that customer."""
    booking, staff = booking_detail_where(Booking.id == booking_id)
    if booking is None or booking.customer_id != customer_id:
        return None, []
    return booking, staff


def assigned_staff(booking_id):
    return _STAFF.rows(booking_id)


def _assigned_jobs(staff_id):
    """A fieldworker's jobs with customer and service. EXISTS, not a join, as on All bookings:
    the database walks bookings in time order and stops at the window, where a join sorted
    every one of the fieldworker's jobs first."""
    mine = Assignment.select(Assignment.id).where((Assignment.booking == Booking.id)
                                                  & (Assignment.staff == staff_id))
    return (Booking.select(Booking, Service, Customer).join(Service)
            .switch(Booking).join(Customer).where(fn.EXISTS(mine)))


def _needs_closing(now):
    return (Booking.status == SCHEDULED) & (Booking.starts_at <= now)


def staff_jobs(staff_id, now):
    """Today's and upcoming jobs, soonest first: those starting from 12 hours ago (so this
    morning's finished jobs stay in view), less the ones still waiting to be closed."""
    return (_assigned_jobs(staff_id)
            .where((Booking.starts_at > now - timedelta(hours=12)) & ~_needs_closing(now))
            .order_by(Booking.starts_at))


def staff_needs_closing(staff_id, now, limit=WINDOW):
    """Jobs whose time has come but are still Scheduled, whatever their age, oldest first:
    they wait on the fieldworker to mark them completed or a no-show."""
    return list(_assigned_jobs(staff_id).where(_needs_closing(now))
                .order_by(Booking.starts_at).limit(limit))


def read_for_staff(ref: str) -> Along:
    """The staff booking page's statement for `ref`, to be read in the statement that loads the
    logged-in staff member (accounts.sessions.resume): any booking's rows, as _DETAIL_BY_REF
    reads them; staff_booking(rows=...) still keeps a fieldworker to their own jobs."""
    return Along("staff", _DETAIL_BY_REF, (ref,), None)


def staff_booking(ref, staff_id=None, rows=None):
    """A booking for a staff page; staff_id limits it to jobs assigned to that fieldworker.
    `rows`: read_for_staff(ref)'s, read with the person."""
    booking, staff = booking_detail(ref, rows=rows)
    if booking is None or (staff_id is not None and staff_id not in {s.id for s in staff}):
        return None, []
    return booking, staff


def bookable_services():
    """The services customers may book online, by name."""
    return list(Service.select().where(Service.active).order_by(Service.name))
