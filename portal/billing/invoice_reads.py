"""An invoice as a customer's booking or order page shows it, read in one statement when nothing
was paid or refunded on it (the usual case) and in three when something was; the customer's
booking page reads it in the booking's own statement."""
from peewee import JOIN, fn

from ..bookings.models import Booking
from ..bookings.queries import detail_query
from ..kernel.beside import Along
from ..kernel.compiled import Compiled
from .invoices import summary_of, unissued_summary
from .models import Invoice, InvoiceLine, Payment, Refund


def _counts():
    """How many payments and refunds the invoice has (so a page reads those only when any)."""
    return (Payment.select(fn.COUNT(Payment.id)).where(Payment.invoice == Invoice.id),
            Refund.select(fn.COUNT(Refund.id)).where(Refund.invoice == Invoice.id))


def _lines(condition):
    """The invoice, a row per line (one row, its `line` empty, when it has none yet), each with
    how many payments and refunds the invoice has."""
    payments, refunds = _counts()
    return (Invoice.select(Invoice, InvoiceLine, payments.alias("payment_count"),
                           refunds.alias("refund_count"))
            .join(InvoiceLine, JOIN.LEFT_OUTER, on=(InvoiceLine.invoice == Invoice.id),
                  attr="line")
            .where(condition).order_by(InvoiceLine.created_at, InvoiceLine.id))


_BY_BOOKING = Compiled(lambda booking: _lines(Invoice.booking == booking), 1)
_BY_ID = Compiled(lambda invoice: _lines(Invoice.id == invoice), 1)


def _with_invoice(condition):
    """The booking page's statement (bookings.queries.detail_query) with the invoice and its
    lines joined on: a row per (fieldworker, line) pair, fieldworkers first in the order, so
    the first fieldworker's rows hold every line in order. A booking has one or two of each."""
    payments, refunds = _counts()
    query = detail_query(condition)
    return (query.select_extend(Invoice, InvoiceLine, payments.alias("invoice_payment_count"),
                                refunds.alias("invoice_refund_count"))
            .switch(Booking).join(Invoice, JOIN.LEFT_OUTER, on=(Invoice.booking == Booking.id),
                                  attr="invoice_row")
            .join(InvoiceLine, JOIN.LEFT_OUTER, on=(InvoiceLine.invoice == Invoice.id),
                  attr="line")
            .order_by_extend(InvoiceLine.created_at, InvoiceLine.id))


_WITH_INVOICE = Compiled(
    lambda ref, customer: _with_invoice((Booking.ref == ref) & (Booking.customer == customer)), 2)
_ANY_WITH_INVOICE = Compiled(lambda ref: _with_invoice(Booking.ref == ref), 1)  # staff pages


def _summary(rows):
    first = rows[0]
    lines = [row.line for row in rows if getattr(row, "line", None) is not None
             and row.line.id is not None]
    return summary_of(first, lines=lines,
                      payments=None if first.payment_count else [],
                      refunds=None if first.refund_count else [])


def read_with_customer(ref: str) -> Along:
    """The booking page's statement for `ref`, to be read in the statement that loads the
    logged-in customer (accounts.sessions.resume): only the rows of a booking of theirs come
    back, as _WITH_INVOICE would read them; give them to booking_with_invoice(rows=...)."""
    return Along("customer", _ANY_WITH_INVOICE, (ref,), Booking.customer)


def read_for_staff(ref: str) -> Along:
    """The admin's booking page's statement for `ref` (_ANY_WITH_INVOICE), to be read in the
    statement that loads the logged-in staff member: any booking's rows, for a page only
    admins reach (the admin area's gate runs before the view takes them)."""
    return Along("staff", _ANY_WITH_INVOICE, (ref,), None)


def booking_with_invoice(ref, customer_id, settings, rows=None):
    """(booking with service and customer, its fieldworkers, its InvoiceSummary) for the
    customer's booking page, in one statement when nothing was paid or refunded; (None, [],
    None) when the customer has no such booking. customer_id None: any customer's booking
    (the admin's booking page). `rows`: the customer's rows for `ref` already read with them
    (read_with_customer), or any booking's read with a staff member (read_for_staff)."""
    if rows is None:
        rows = _WITH_INVOICE.rows(ref, customer_id) if customer_id is not None \
            else _ANY_WITH_INVOICE.rows(ref)
    if not rows:
        return None, [], None
    booking, staff, lines, seen = rows[0], [], [], set()
    for row in rows:
        worker = row.assignment.staff if getattr(row, "assignment", None) else None
        if worker is not None and ("s", worker.id) not in seen:
            seen.add(("s", worker.id))
            staff.append(worker)
        line = row.invoice_row and getattr(row.invoice_row, "line", None)
        if line is not None and line.id is not None and ("l", line.id) not in seen:
            seen.add(("l", line.id))
            lines.append(line)
    invoice = booking.invoice_row
    if invoice is None:
        return booking, staff, unissued_summary(booking, settings)
    return booking, staff, summary_of(
        invoice, lines=lines, payments=None if booking.invoice_payment_count else [],
        refunds=None if booking.invoice_refund_count else [])


def booking_invoice(booking, settings):
    """The booking's InvoiceSummary; one without an invoice row shows its service line."""
    rows = _BY_BOOKING.rows(booking.id)
    return _summary(rows) if rows else unissued_summary(booking, settings)


def invoice_by_id(invoice_id):
    """An order's InvoiceSummary by its invoice id, or None when it has none."""
    if invoice_id is None:
        return None
    rows = _BY_ID.rows(invoice_id)
    return _summary(rows) if rows else None
