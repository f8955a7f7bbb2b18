"""In-app notices for staff."""
from peewee import JOIN, fn

from ..bookings.models import Booking
from ..kernel.clock import utcnow
from ..kernel.compiled import Compiled, insert_rows
from ..kernel.errors import NotFound
from ..orders.models import Order
from .models import Notification


def notify_staff(staff_members, booking, kind, message, order=None):
    """One Notification per staff member, about a booking or an order (which its link opens);
    call inside the change's transaction."""
    rows = [{"staff": s.id, "booking": booking.id if booking else None,
             "order": order.id if order else None, "kind": kind, "message": message}
            for s in staff_members]
    if rows:
        insert_rows(Notification, rows)  # its text built once per number of rows


def others(staff_members, actor):
    """The staff to tell about a change `actor` made: everyone but the actor themselves (a
    fieldworker who cancels their own job knows already)."""
    if not actor.is_staff:
        return list(staff_members)
    return [s for s in staff_members if s.id != actor.id]


# Every staff page draws the unread count: its SQL built once (kernel.compiled).
UNREAD = Compiled(lambda staff: Notification.select(fn.COUNT(Notification.id)).where(
    (Notification.staff == staff) & Notification.read_at.is_null()), 1)


def unread_count(staff_id):
    # fetchall: an SQLite statement left unfinished would keep a read transaction open.
    return UNREAD.cursor(staff_id)[0].fetchall()[0][0]


def _listed(staff_id):
    """A staff member's notices, each with `booking_ref` (None without a booking) from the
    same query, so a list never loads bookings one by one."""
    return (Notification.select(Notification, Booking.ref.alias("booking_ref"),
                                Order.ref.alias("order_ref"))
            .join(Booking, JOIN.LEFT_OUTER, on=(Notification.booking == Booking.id))
            .switch(Notification)
            .join(Order, JOIN.LEFT_OUTER, on=(Notification.order == Order.id))
            .where(Notification.staff == staff_id).objects())


def for_staff(staff_id, limit=50):
    return (_listed(staff_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit))


def mark_read(staff_id, notification_id, now=None):
    """Mark one of this staff member's notices read (again is fine); returns it as listed.

    Someone else's notice is NotFound, not Forbidden: ids say nothing about other people.
    """
    Notification.update(read_at=now or utcnow()).where(
        (Notification.id == notification_id) & (Notification.staff == staff_id)
        & Notification.read_at.is_null()).execute()
    notice = _listed(staff_id).where(Notification.id == notification_id).get_or_none()
    if notice is None:
        raise NotFound("We couldn't find that notification. It may not be yours.")
    return notice


def mark_all_read(staff_id, now=None):
    """Mark every unread notice of this staff member read; returns how many changed."""
    return Notification.update(read_at=now or utcnow()).where(
        (Notification.staff == staff_id) & Notification.read_at.is_null()).execute()
