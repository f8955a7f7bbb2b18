"""A cancelled booking's refund, as the customer sees and asks for it: what is due under the
policy (paid beyond the fees kept, less refunds already asked for) and the requests made."""
from dataclasses import dataclass, field

from ..bookings import policy
from ..bookings.models import Booking
from ..kernel.db import locked, write_transaction
from ..kernel.errors import Conflict, NotFound
from .invoices import InvoiceSummary, invoice_summary
from .models import Invoice


@dataclass
class RefundView:
    due: int
    summary: InvoiceSummary
    refunds: list = field(default_factory=list)


def refund_view(booking, settings):
    """What is due now and the refunds asked for so far (the invoice summary's queries)."""
    summary = invoice_summary(booking, settings)
    due = policy.refund_due(summary.total, summary.paid, summary.refunded,
                            summary.refund_pending)
    # The summary already holds the invoice's refunds; listed here in the order asked for.
    return RefundView(due, summary, sorted(summary.refunds, key=lambda refund: refund.id))


def request_booking_refund(ref, actor, settings, *, channel):
    """The customer asks for what is due on their cancelled booking; returns the Refund."""
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
