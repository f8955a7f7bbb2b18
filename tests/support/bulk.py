"""Volume for tests: thousands of bookings in a few insert_many statements, not one per row."""
from datetime import timedelta
from itertools import cycle

from portal.bookings.models import Assignment, Booking
from portal.kernel.clock import utcnow
from portal.kernel.db import database
from portal.people import Customer

CHUNK = 500  # rows per INSERT; keeps SQLite under its bound-parameter limit


def _insert(model, rows):
    for start in range(0, len(rows), CHUNK):
        model.insert_many(rows[start:start + CHUNK]).execute()


def bulk_customers(count, prefix="bulk"):
    """`count` customers named 'Bulk Customer N' (emails prefixN@example.com); their ids."""
    with database.atomic():
        _insert(Customer, [{"name": f"{prefix.title()} Customer {i}",
                            "email": f"{prefix}{i}@example.com", "created_at": utcnow()}
                           for i in range(count)])
    return [c.id for c in Customer.select(Customer.id)
            .where(Customer.email.startswith(prefix)).order_by(Customer.id)]


def bulk_bookings(count, customers, services, workers, first=None, step=timedelta(hours=1),
                  statuses=("scheduled",), ref_prefix="BK-0"):
    """`count` bookings an hour apart from `first`, customers, services, fieldworkers and
    statuses taken in turn; references are ref_prefix + a 6-digit number, in time order (0 and 1
    never occur in real references, so "BK-0" and "BK-1" cannot clash with them)."""
    now = utcnow().replace(microsecond=0)
    first = first or now - timedelta(hours=count // 2)
    who, what, status = cycle(customers), cycle(services), cycle(statuses)
    rows = []
    for i in range(count):
        start, state = first + i * step, next(status)
        rows.append({"ref": f"{ref_prefix}{i:06d}", "customer": next(who), "service": next(what),
                     "starts_at": start, "ends_at": start + timedelta(hours=2), "price": 9000,
                     "address": "", "status": state, "version": 1, "reschedule_count": 0,
                     "created_at": now,
                     "cancelled_at": now if state == "cancelled" else None,
                     "cancel_channel": "admin" if state == "cancelled" else None})
    with database.atomic():
        _insert(Booking, rows)
        ids = [b.id for b in Booking.select(Booking.id)
               .where(Booking.ref.startswith(ref_prefix)).order_by(Booking.ref)]
        crew = cycle(workers)
        _insert(Assignment, [{"booking": booking_id, "staff": next(crew)} for booking_id in ids])
    return ids
