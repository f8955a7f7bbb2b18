"""In-app notices for staff."""
from .models import Notification


def notify_staff(staff_members, booking, kind, message):
    """One Notification per staff member; call inside the change's transaction."""
    rows = [{"staff": s.id, "booking": booking.id, "kind": kind, "message": message}
            for s in staff_members]
    if rows:
        Notification.insert_many(rows).execute()


def unread_count(staff_id):
    return Notification.select().where((Notification.staff == staff_id)
                                       & Notification.read_at.is_null()).count()


def for_staff(staff_id, limit=50):
    return (Notification.select().where(Notification.staff == staff_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit))
