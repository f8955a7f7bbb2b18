"""Money received against an invoice: a deposit or the whole, recorded by staff."""
from peewee import fn

from .. import audit
from ..kernel.db import locked, write_transaction
from ..kernel.errors import Forbidden, InvalidInput, NotFound
from .models import PROCESSED, Invoice, InvoiceLine, Payment, Refund
from .money import MAX_FEE, MAX_FEE_MAJOR, amount_text

METHODS = {"card": "Card", "cash": "Cash", "bank_transfer": "Bank transfer", "other": "Other"}
REFERENCE_MAX = 120


def lock_invoice(invoice_id):
    """The invoice row, locked for the rest of the transaction: every change to what was paid
    or refunded on it queues here, so sums read after this are the ones that stay true."""
    invoice = locked(Invoice.select().where(Invoice.id == invoice_id)).get_or_none()
    if invoice is None:
        raise NotFound("We couldn't find that invoice.")
    return invoice


def paid_on(invoice_id):
    return (Payment.select(fn.COALESCE(fn.SUM(Payment.amount), 0))
            .where(Payment.invoice == invoice_id).scalar())


def check_amount(amount, what):
    """A positive whole number of minor units up to 1,000,000.00, or InvalidInput."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise InvalidInput(f"{what} must be an amount such as 40.00.")
    if amount <= 0:
        raise InvalidInput(f"{what} must be more than 0.")
    if amount > MAX_FEE:
        raise InvalidInput(f"{what} is more than {MAX_FEE_MAJOR:,}. Check the amount.")
    return amount


def clean_text(text, limit, what):
    text = (text or "").strip()
    if len(text) > limit:
        raise InvalidInput(f"{what} is {len(text)} characters; please keep it to {limit}.")
    return text


def record_payment(invoice_id, amount, method, reference, actor):
    """Record `amount` (minor units) paid by `method`; returns the Payment.

    Paying more than the balance is allowed (a customer may pay ahead); the audit event says
    by how much, so the refund queue can pick it up.
    """
    if actor.kind not in ("admin", "system"):
        raise Forbidden("Only an admin can record a payment.", "no_permission")
    amount = check_amount(amount, "The payment")
    if method not in METHODS:
        raise InvalidInput("Choose how it was paid: card, cash, bank transfer or other.")
    reference = clean_text(reference, REFERENCE_MAX, "The reference")
    with write_transaction():
        invoice = lock_invoice(invoice_id)
        payment = Payment.create(invoice=invoice.id, amount=amount, method=method,
                                 reference=reference, recorded_by_kind=actor.kind,
                                 recorded_by_id=actor.id, recorded_by_label=actor.label)
        total = (InvoiceLine.select(fn.COALESCE(fn.SUM(InvoiceLine.amount + InvoiceLine.tax), 0))
                 .where(InvoiceLine.invoice == invoice.id).scalar())
        refunded = (Refund.select(fn.COALESCE(fn.SUM(Refund.amount), 0))
                    .where((Refund.invoice == invoice.id) & (Refund.status == PROCESSED))
                    .scalar())
        paid = paid_on(invoice.id)
        overpaid = max(0, paid - refunded - total)
        audit.record("invoice", invoice.id, "payment_recorded", actor, "admin",
                     after={"payment_id": payment.id, "amount": amount, "method": method,
                            "reference": reference, "paid": paid, "balance": total - paid
                            + refunded, "overpaid_by": overpaid},
                     note=(f"Overpaid by {amount_text(overpaid)} {invoice.currency}."
                           if overpaid else ""))
    return payment
