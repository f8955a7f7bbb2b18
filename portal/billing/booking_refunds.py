"""A cancelled booking's refund, as the customer sees and asks for it: what is due under the
policy (paid beyond the fees kept, less refunds already asked for) and the requests made; and
the refund a cancellation asks for by itself when something was paid."""
from dataclasses import dataclass, field

from ..bookings import policy
from ..bookings.models import Booking
from ..kernel.actors import SYSTEM
from ..kernel.db import locked, write_transaction
from ..kernel.errors import Conflict, NotFound
from .invoice_reads import booking_invoice
from .invoices import InvoiceSummary, summary_of
from .models import Invoice, Payment
from .payments import lock_invoice


@dataclass
class RefundView:
    due: int
    summary: InvoiceSummary
    refunds: list = field(default_factory=list)


def refund_view(booking, settings, summary=None, due=None):
    """What is due now and the refunds asked for so far; `summary`: the booking's
    InvoiceSummary when the caller has it (read here otherwise); `due`: what policy.refund_due
    says of that summary when the caller worked it out already (a BookingPage's refund_due)."""
    summary = summary or booking_invoice(booking, settings)
    if due is None:
        due = 0
        if booking.is_cancelled:
            total, paid, refunded, pending, _balance = summary.figures()
            due = policy.refund_due(total, paid, refunded, pending)
    # The summary already holds the invoice's refunds; listed here in the order asked for.
    return RefundView(due, summary, sorted(summary.refunds, key=lambda refund: refund.id))


def request_booking_refund(ref, actor, settings, *, channel):
    """The customer asks for what is due on their cancelled booking; returns the Refund. Only
    needed where the cancellation did not ask by itself (a rejected request, say)."""
    from .refunds import request_refund
    with write_transaction():
        booking = locked(Booking.select().where(Booking.ref == ref)).get_or_none()
        if booking is None or (actor.is_customer and booking.customer_id != actor.id):
            raise NotFound("We couldn't find that booking.")
        if not booking.is_cancelled:
            raise Conflict("Refunds are asked for after cancelling a booking.", "not_cancelled")
        view = refund_view(booking, settings)
        if view.due <= 0:
            raise Conflict("There is nothing (more) to refund on this booking.", "nothing_due")
        invoice = Invoice.get(Invoice.booking == booking.id)
        return request_refund(invoice.id, view.due, f"Cancelled booking {booking.ref}", actor,
                              channel=channel)


def paid_before_cancel(invoice, any_paid: bool | None = None):
    """The invoice's summary, locked and read before a cancellation changes it, when something
    was paid on it; None otherwise (no invoice: no query; nothing paid: one query, none when
    the caller read `any_paid` under the booking's lock). Call under the booking's lock, before
    the cancellation's invoice lines."""
    if invoice is None or any_paid is False:
        return None
    if any_paid is None and not Payment.select().where(Payment.invoice == invoice.id).exists():
        return None
    return summary_of(lock_invoice(invoice.id))


def request_cancel_refund(summary, booking, fee, actor, settings, *, channel):
    """Ask for what cancelling with `fee` gives back (InvoiceSummary.on_cancel, the rule the
    cancel step showed the customer); returns the Refund, or None when nothing is due. Asked
    by the customer or admin who cancelled; by Rebook itself when staff or a connected system
    did (only customers and admins ask for refunds themselves)."""
    due = min(summary.on_cancel(fee or 0, settings.tax_rate_bp).refund, summary.refundable)
    if due <= 0:
        return None
    from .refunds import request_refund
    asker = actor if actor.is_customer or actor.kind == "admin" else SYSTEM
    return request_refund(summary.invoice_id, due, f"Cancelled booking {booking.ref}", asker,
                          channel=channel)
