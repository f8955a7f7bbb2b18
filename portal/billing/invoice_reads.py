"""An invoice as a customer's booking or order page shows it, read in one statement when nothing
was paid or refunded on it (the usual case) and in three when something was."""
from peewee import JOIN, fn

from ..kernel.compiled import Compiled
from .invoices import summary_of, unissued_summary
from .models import Invoice, InvoiceLine, Payment, Refund


def _lines(condition):
    """The invoice, a row per line (one row, its `line` empty, when it has none yet), each with
    how many payments and refunds the invoice has (so the page reads those only when any)."""
    payments = Payment.select(fn.COUNT(Payment.id)).where(Payment.invoice == Invoice.id)
    refunds = Refund.select(fn.COUNT(Refund.id)).where(Refund.invoice == Invoice.id)
    return (Invoice.select(Invoice, InvoiceLine, payments.alias("payment_count"),
                           refunds.alias("refund_count"))
            .join(InvoiceLine, JOIN.LEFT_OUTER, on=(InvoiceLine.invoice == Invoice.id),
                  attr="line")
            .where(condition).order_by(InvoiceLine.created_at, InvoiceLine.id))


_BY_BOOKING = Compiled(lambda booking: _lines(Invoice.booking == booking), 1)
_BY_ID = Compiled(lambda invoice: _lines(Invoice.id == invoice), 1)


def _summary(rows):
    first = rows[0]
    lines = [row.line for row in rows if getattr(row, "line", None) is not None
             and row.line.id is not None]
    return summary_of(first, lines=lines,
                      payments=None if first.payment_count else [],
                      refunds=None if first.refund_count else [])


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
