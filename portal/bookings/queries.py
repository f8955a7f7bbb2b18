"""The reads pages need, each fetched up front in a fixed number of queries."""
from datetime import timedelta

from ..people import Customer, Staff
from .models import SCHEDULED, Assignment, Booking, Service

VIEWS = ("upcoming", "past", "cancelled", "all")


def _is_upcoming(now):
    return (Booking.status == SCHEDULED) & (Booking.starts_at > now)


def customer_bookings(customer_id, view, now):
    """A customer's bookings for one tab of 'My bookings', with their services."""
    query = (Booking.select(Booking, Service).join(Service)
             .where(Booking.customer == customer_id))
    if view == "upcoming":
        return query.where(_is_upcoming(now)).order_by(Booking.starts_at)
    if view == "cancelled":
        query = query.where(Booking.status == "cancelled")
    elif view == "past":
        query = query.where(~_is_upcoming(now))
    return query.order_by(Booking.starts_at.desc())


def booking_detail(ref, customer_id=None):
    """(booking with service and customer, assigned staff) or None; customer_id limits to theirs."""
    query = (Booking.select(Booking, Service, Customer).join(Service)
             .switch(Booking).join(Customer).where(Booking.ref == ref))
    if customer_id is not None:
        query = query.where(Booking.customer == customer_id)
    booking = query.get_or_none()
    if booking is None:
        return None, []
    return booking, assigned_staff(booking.id)


def assigned_staff(booking_id):
    return list(Staff.select().join(Assignment)
                .where(Assignment.booking == booking_id).order_by(Staff.name))


def staff_jobs(staff_id, now):
    """A fieldworker's upcoming jobs, with customer and service, soonest first."""
    return (Booking.select(Booking, Service, Customer).join(Service)
            .switch(Booking).join(Customer)
            .switch(Booking).join(Assignment, on=(Assignment.booking == Booking.id))
            .where((Assignment.staff == staff_id) & (Booking.starts_at > now
                                                     - timedelta(hours=12)))
            .order_by(Booking.starts_at))


def staff_booking(ref, staff_id=None):
    """A booking for a staff page; staff_id limits it to jobs assigned to that fieldworker."""
    booking, staff = booking_detail(ref)
    if booking is None or (staff_id is not None and staff_id not in {s.id for s in staff}):
        return None, []
    return booking, staff


def all_bookings(limit=200):
    """The admin's list, newest first, with customer and service in one query."""
    return (Booking.select(Booking, Service, Customer).join(Service)
            .switch(Booking).join(Customer)
            .order_by(Booking.starts_at.desc()).limit(limit))
