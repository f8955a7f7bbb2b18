"""What a cancellation does to the invoice: the visit is credited back, and a fee (the late-
cancellation tier's, or the one an admin chose) is charged. Call inside the cancel transaction."""
from ..kernel.clock import utcnow
from ..kernel.compiled import Compiled, insert_rows
from .invoices import UNREAD, add_fee, service_lines
from .models import CANCELLATION_FEE, FeeTier, InvoiceLine

SERVICE_CANCELLED = "service_cancelled"


_TIERS = Compiled(lambda: FeeTier.select().order_by(FeeTier.under_hours), 0)  # SQL built once


def listed_tiers():
    """The late-cancellation tier rows, shortest notice first (for the settings page)."""
    return _TIERS.rows()


def fee_tiers():
    """The tiers as the plain tuples policy.late_fee expects."""
    return [(t.under_hours, t.kind, t.flat_amount, t.percent_bp) for t in listed_tiers()]


def credit_service(booking, service, settings, invoice=UNREAD):
    """Cancel the visit's charge: a negative line mirroring each service line (same tax), so
    the invoice then asks only for the fees. `invoice`: the booking's, when the caller read
    it under the booking's lock (None: it has none). Returns the invoice."""
    invoice, lines, unsaved = service_lines(booking, service, settings, invoice)
    credits = [{"invoice": invoice.id, "kind": SERVICE_CANCELLED,
                "description": f"{line['description']} (cancelled)", "amount": -line["amount"],
                "tax_rate_bp": line["tax_rate_bp"], "tax": -line["tax"], "created_at": utcnow()}
               for line in lines]
    if unsaved + credits:  # a new invoice's service line and every credit: one statement
        insert_rows(InvoiceLine, unsaved + credits)  # its text built once (kernel.compiled)
    return invoice


def charge_cancellation(booking, service, settings, fee, late, invoice=UNREAD):
    """The cancellation fee line; `late` names it as the late-cancellation tier's."""
    return add_fee(booking, service, settings, CANCELLATION_FEE,
                   "Late-cancellation fee" if late else "Cancellation fee", fee, invoice)
