"""Refunds: requested (by the customer or staff) -> approved or rejected by an admin ->
processed (paid out). Each step is one transaction with a version guard and an audit event."""
from peewee import fn

from .. import audit
from ..bookings.models import Booking
from ..integrations import events
from ..kernel.clock import utcnow
from ..kernel.db import write_transaction
from ..kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from ..kernel.i18n import N_
from ..kernel.input_limits import NOTE_MAX
from ..kernel.timefmt import money
from ..kernel.versioning import check_version, update_versioned
from ..messaging import refund_emails
from ..settings import Settings
from .models import APPROVED, PROCESSED, REJECTED, REQUESTED, Invoice, Refund
from .payments import REFERENCE_MAX, check_amount, clean_text, lock_invoice, paid_on

REASON_MAX = 255
# translated where it is raised (kernel/versioning)
STALE = N_("This refund changed since the page loaded. Reload and try again.")
TOO_MUCH = "This would refund more than was paid."
# What a step needs the refund to be in, and what it becomes.
STEPS = {"approved": (REQUESTED, APPROVED), "rejected": (REQUESTED, REJECTED),
         "processed": (APPROVED, PROCESSED)}
VERBS = {"approved": "approve", "rejected": "reject", "processed": "mark as processed"}


def _sum(invoice_id, statuses):
    return (Refund.select(fn.COALESCE(fn.SUM(Refund.amount), 0))
            .where((Refund.invoice == invoice_id) & Refund.status.in_(statuses)).scalar())


def refundable(invoice_id):
    """What may still be asked for: paid, less every refund not rejected."""
    return paid_on(invoice_id) - _sum(invoice_id, (REQUESTED, APPROVED, PROCESSED))


def request_refund(invoice_id, amount, reason, actor, *, channel):
    """Ask for `amount` (minor units) back; returns the requested Refund."""
    # "system": a cancellation asking for what the policy gives back, whoever cancelled.
    if not (actor.is_customer or actor.kind in ("admin", "system")):
        raise Forbidden("Only an admin or the customer can ask for a refund.", "no_permission")
    reason = clean_text(reason, REASON_MAX, "The reason")
    amount = check_amount(amount, "The refund")
    with write_transaction():
        invoice = lock_invoice(invoice_id)
        if actor.is_customer and invoice.customer_id != actor.id:
            raise NotFound("We couldn't find that invoice.")  # not yours reads as not found
        left = refundable(invoice.id)
        if amount > left:
            raise InvalidInput("That is more than can be refunded: at most "
                               f"{money(left, invoice.currency)} is left." if left > 0
                               else "There is nothing left to refund on this invoice.",
                               "too_much")
        refund = Refund.create(invoice=invoice.id, amount=amount, reason=reason,
                               requested_by_kind=actor.kind, requested_by_id=actor.id,
                               requested_by_label=actor.label)
        audit.record("refund", refund.id, "refund_requested", actor, channel, note=reason,
                     after={"status": REQUESTED, "amount": amount, "invoice_id": invoice.id,
                            "version": refund.version})
    return refund


def approve_refund(refund_id, actor, note="", expected_version=None):
    """Approve a requested refund, if what is approved or paid out stays within what was paid."""
    return _decide(refund_id, actor, "approved", expected_version, note=note)


def reject_refund(refund_id, actor, note, expected_version=None):
    """Turn a request down; the note (required) tells the customer and the queue why."""
    return _decide(refund_id, actor, "rejected", expected_version, note=note)


def mark_processed(refund_id, actor, reference, expected_version=None):
    """Record that an approved refund was paid out, with the payment's reference."""
    return _decide(refund_id, actor, "processed", expected_version, reference=reference)


def _decide(refund_id, actor, step, expected_version, note="", reference=None):
    if actor.kind != "admin":
        raise Forbidden("Only an admin can decide on refunds.", "no_permission")
    note = clean_text(note, NOTE_MAX, "The note")
    if step == "rejected" and not note:
        raise InvalidInput("Say why the refund is rejected: the note is required.")
    if step == "processed":
        reference = clean_text(reference, REFERENCE_MAX, "The reference")
        if not reference:
            raise InvalidInput("Enter the reference of the refund payment.")
    with write_transaction():
        found = Refund.get_or_none(Refund.id == refund_id)
        if found is None:
            raise NotFound("We couldn't find that refund.")
        lock_invoice(found.invoice_id)
        # Read again under the invoice's lock: another admin may have decided meanwhile.
        refund = Refund.get_by_id(refund_id)
        check_version(refund, expected_version, STALE)
        was, becomes = STEPS[step]
        if refund.status != was:
            raise Conflict(f"This refund is {refund.status}, so it can't be {step} now; only "
                           f"a {was} refund can. Reload to see where it stands.", "wrong_status")
        if step == "approved":
            committed = _sum(refund.invoice_id, (APPROVED, PROCESSED))
            if committed + refund.amount > paid_on(refund.invoice_id):
                raise Conflict(TOO_MUCH, "too_much")
        now = utcnow()
        fields = ({"processed_reference": reference, "processed_at": now} if step == "processed"
                  else {"decided_by_id": actor.id, "decided_by_label": actor.label,
                        "decided_at": now, "decision_note": note})
        update_versioned(refund, expected_version, STALE, status=becomes, **fields)
        audit.record("refund", refund.id, f"refund_{step}", actor, "admin", at=now,
                     note=note or reference or "",
                     before={"status": was, "version": refund.version},
                     after={"status": becomes, "version": refund.version + 1,
                            "amount": refund.amount, "invoice_id": refund.invoice_id,
                            **({"reference": reference} if reference else {})})
        events.refund_event(f"refund.{step}", refund.id, actor, now=now)
        decided = Refund.get_by_id(refund_id)
        # The customer hears of each decision, queued with it (nothing if it rolls back).
        refund_emails.queue_refund_decided(decided, step, Settings.current())
    return decided


def invoice_for_refund(refund_id):
    """The invoice a refund belongs to, for pages that redraw it; NotFound when there is none."""
    invoice = (Invoice.select().join(Refund).where(Refund.id == refund_id)).get_or_none()
    if invoice is None:
        raise NotFound("We couldn't find that refund.")
    return invoice


def page_for_invoice(invoice_id: int) -> tuple[str, str]:
    """("booking" or "order", reference): whose admin page shows this invoice; NotFound when
    neither does. Two queries at most."""
    from ..orders.models import Order  # orders import billing: read it when asked
    ref = (Booking.select(Booking.ref).join(Invoice, on=(Invoice.booking == Booking.id))
           .where(Invoice.id == invoice_id).scalar())
    if ref is not None:
        return "booking", ref
    ref = Order.select(Order.ref).where(Order.invoice == invoice_id).scalar()
    if ref is None:
        raise NotFound("We couldn't find that invoice.")
    return "order", ref
