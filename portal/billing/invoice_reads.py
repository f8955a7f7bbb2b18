"""An invoice as a customer's booking or order page shows it, read in one statement when nothing
was paid or refunded on it (the usual case) and in three when something was."""
from peewee import fn

from ..kernel.compiled import Compiled
from .invoices import summary_of, unissued_summary
from .models import Invoice, InvoiceLine, Payment, Refund


def _lines(condition):
    """The invoice's lines, each carrying the invoice and how many payments and refunds it has
    (so the page reads those only when there are some)."""
    payments = Payment.select(fn.COUNT(Payment.id)).where(Payment.invoice == Invoice.id)
    refunds = Refund.select(fn.COUNT(Refund.id)).where(Refund.invoice == Invoice.id)
    return (InvoiceLine.select(InvoiceLine, Invoice, payments.alias("payment_count"),
                               refunds.alias("refund_count"))
            .join(Invoice).where(condition).order_by(InvoiceLine.created_at, InvoiceLine.id))


_BY_BOOKING = Compiled(lambda booking: _lines(Invoice.booking == booking), 1)
_BY_ID = Compiled(lambda invoice: _lines(Invoice.id == invoice), 1)


def _summary(lines):
    first = lines[0]
    return summary_of(first.invoice, lines=lines,
                      payments=None if first.payment_count else [],
                      refunds=None if first.refund_count else [])


def booking_invoice(booking, settings):
    """The booking's InvoiceSummary; one without an invoice row shows its service line. (An
    invoice is written with its first line, so an invoice has lines whenever it exists.)"""
    lines = _BY_BOOKING.rows(booking.id)
    return _summary(lines) if lines else unissued_summary(booking, settings)


def invoice_by_id(invoice_id):
    """An order's InvoiceSummary by its invoice id, or None when it has none."""
    if invoice_id is None:
        return None
    lines = _BY_ID.rows(invoice_id)
    return _summary(lines) if lines else None
