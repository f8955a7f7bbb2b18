"""What a cancellation reads once it holds the booking's lock, in one statement: the assigned
fieldworkers, the invoice's lines, whether anything was paid or refunded on it, and whether
anyone waits for the days the cancellation frees. Every line, not only the service lines it
credits: with the lines it adds, they are the invoice the updated card shows, so the card
needs no read of its own (billing.invoices.after_cancel).

These were four statements (the staff, EXISTS payment, the service lines, the waitlist). They
are read after the lock, not in the locking statement itself: on PostgreSQL a SELECT ... FOR
UPDATE that waited for another transaction returns the booking's newest row but the joined
rows as they were when the statement began, so anything changed under that lock (a
fieldworker reassigned) would be missed. A statement begun after the lock sees every change
committed before it, as the four separate reads did.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from peewee import JOIN, fn

from ..billing.models import SERVICE, InvoiceLine, Payment, Refund
from ..kernel.compiled import Compiled
from ..people import Staff
from .models import Assignment, Booking
from .waitlist_models import WaitlistEntry
from .waitlist_offers import released_days, waiting_for

# A date no waiting entry can hold: the waitlist test's days when the time is already past.
NO_DAY = date(1, 1, 1)


@dataclass
class AfterLock:
    staff: list = field(default_factory=list)  # Staff rows, by name
    lines: list = field(default_factory=list)  # the invoice's lines (rows), as a page orders them
    paid: bool = False  # any payment on the invoice
    refunded: bool = False  # any refund (of any status) on the invoice
    anyone_waiting: bool = False  # a waiting entry for the days the booking frees

    @property
    def service_lines(self):
        """The lines a cancellation credits."""
        return [line for line in self.lines if line.kind == SERVICE]


def _query(booking_id, invoice_id, now, first, last):
    payments = Payment.select(fn.COUNT(Payment.id)).where(Payment.invoice == invoice_id)
    refunds = Refund.select(fn.COUNT(Refund.id)).where(Refund.invoice == invoice_id)
    waiting = WaitlistEntry.select(fn.COUNT(WaitlistEntry.id)).where(
        waiting_for(now, first, last))
    # One row per (fieldworker, invoice line): a booking has one or two fieldworkers and a
    # few lines; one row, both empty, when it has neither. Lines in the order
    # billing.invoice_reads reads them (created_at, id).
    return (Booking.select(Booking.id, Staff, InvoiceLine, payments.alias("payment_count"),
                           refunds.alias("refund_count"), waiting.alias("waiting_count"))
            .join(Assignment, JOIN.LEFT_OUTER).join(Staff, JOIN.LEFT_OUTER)
            .switch(Booking)
            .join(InvoiceLine, JOIN.LEFT_OUTER,
                  on=(InvoiceLine.invoice == invoice_id), attr="line")
            .where(Booking.id == booking_id)
            .order_by(Staff.name, Staff.id, InvoiceLine.created_at, InvoiceLine.id))


_AFTER_LOCK = Compiled(_query, 5)  # its SQL built once (kernel/compiled.py)


def after_lock(booking, invoice, now: datetime, tz: str) -> AfterLock:
    """The reads above for the locked `booking` and its `invoice` (None: it has none).
    The waiting count looks only at the days time_released would (released_days)."""
    first, last = released_days(booking.starts_at, booking.ends_at, now, tz) or (NO_DAY, NO_DAY)
    # An invoice id no row has when there is none: the statement stays the same.
    rows = _AFTER_LOCK.rows(booking.id, invoice.id if invoice is not None else 0, now, first,
                            last)
    found, seen = AfterLock(), set()
    for row in rows:
        worker = row.assignment.staff if getattr(row, "assignment", None) else None
        if worker is not None and worker.id is not None and ("s", worker.id) not in seen:
            seen.add(("s", worker.id))
            found.staff.append(worker)
        line = getattr(row, "line", None)
        if line is not None and line.id is not None and ("l", line.id) not in seen:
            seen.add(("l", line.id))
            found.lines.append(line)
    if rows:
        found.paid = bool(rows[0].payment_count)
        found.refunded = bool(rows[0].refund_count)
        found.anyone_waiting = bool(rows[0].waiting_count)
    return found
