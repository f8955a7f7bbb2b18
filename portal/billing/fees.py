"""What a cancellation does to the invoice: the visit is credited back, and a fee (the late-
cancellation tier's, or the one an admin chose) is charged. Call inside the cancel transaction."""
from ..kernel.clock import utcnow
from ..kernel.compiled import Compiled, insert_rows
from ..settings.kept import Kept
from .invoices import UNREAD, add_fee, service_lines
from .models import CANCELLATION_FEE, FeeTier, InvoiceLine

SERVICE_CANCELLED = "service_cancelled"


_TIERS = Compiled(lambda: FeeTier.select().order_by(FeeTier.under_hours), 0)  # SQL built once


def listed_tiers():
    """The late-cancellation tier rows, shortest notice first (for the settings page)."""
    return _TIERS.rows()


# Kept per process while the settings row's stamp stays the same (settings/kept.py).
_KEPT = Kept(FeeTier, None, FeeTier.under_hours)


def fee_tiers(settings=None):
    """The tiers as the plain tuples policy.late_fee expects. `settings`: the row this request
    read, whose stamp says whether the tiers this process kept are still the ones (None: read
    them now)."""
    tiers = _KEPT.rows(settings) if settings is not None else listed_tiers()
    return [(t.under_hours, t.kind, t.flat_amount, t.percent_bp) for t in tiers]


def credit_service(booking, service, settings, invoice=UNREAD, lines=None):
    """Cancel the visit's charge: a negative line mirroring each service line (same tax), so
    the invoice then asks only for the fees. `invoice`: the booking's, when the caller read
    it under the booking's lock (None: it has none); `lines`: its service lines read there
    too. Returns the invoice and the rows it inserted (a new invoice's service line first)."""
    invoice, lines, unsaved = service_lines(booking, service, settings, invoice, lines)
    credits = [{"invoice": invoice.id, "kind": SERVICE_CANCELLED,
                "description": f"{line['description']} (cancelled)", "amount": -line["amount"],
                "tax_rate_bp": line["tax_rate_bp"], "tax": -line["tax"], "created_at": utcnow()}
               for line in lines]
    if unsaved + credits:  # a new invoice's service line and every credit: one statement
        insert_rows(InvoiceLine, unsaved + credits)  # its text built once (kernel.compiled)
    return invoice, unsaved + credits


def charge_cancellation(booking, service, settings, fee, late, invoice=UNREAD):
    """The cancellation fee line; `late` names it as the late-cancellation tier's."""
    return add_fee(booking, service, settings, CANCELLATION_FEE,
                   "Late-cancellation fee" if late else "Cancellation fee", fee, invoice)
