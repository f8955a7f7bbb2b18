"""Admin payments and refunds: record a payment, ask for / decide on / pay out a refund (all on
the booking's invoice), and the refund queue.

Each action is a plain POST form (redirect back with a flash); htmx swaps just the invoice.
A refused action shows the invoice again with the message (422 invalid, 409 changed).
"""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from ...billing import refunds
from ...billing.money import parse_amount
from ...billing.payments import record_payment
from ...billing.refund_queue import STATUSES, RefundFilter, find_refunds, refund_totals
from ...kernel.actors import actor_for
from ...kernel.errors import DomainError
from ..app.current import current_settings
from ..app.htmx import fragment_or_page, is_htmx, trigger
from . import bookings as admin
from .billing_forms import DecisionForm, PaymentForm, RefundRequestForm, first_error

bp = Blueprint("refunds", __name__)


@bp.post("/invoices/<int:invoice_id>/payments")
def payment(invoice_id):
    return _act(invoice_id, PaymentForm(), lambda form, actor: record_payment(
        invoice_id, parse_amount(form.amount.data, "The payment"), form.method.data,
        form.reference.data, actor), "Payment recorded.")


@bp.post("/invoices/<int:invoice_id>/refunds")
def request_refund(invoice_id):
    return _act(invoice_id, RefundRequestForm(), lambda form, actor: refunds.request_refund(
        invoice_id, parse_amount(form.amount.data, "The refund"), form.reason.data, actor,
        channel="admin"), "Refund requested. An admin approves or rejects it next.")


@bp.post("/refunds/<int:refund_id>/approve")
def approve(refund_id):
    return _act(refunds.invoice_for_refund(refund_id).id, DecisionForm(),
                lambda form, actor: refunds.approve_refund(
                    refund_id, actor, form.note.data, form.version.data),
                "Refund approved. Mark it processed once the money is sent.")


@bp.post("/refunds/<int:refund_id>/reject")
def reject(refund_id):
    return _act(refunds.invoice_for_refund(refund_id).id, DecisionForm(),
                lambda form, actor: refunds.reject_refund(
                    refund_id, actor, form.note.data, form.version.data), "Refund rejected.")


@bp.post("/refunds/<int:refund_id>/process")
def process(refund_id):
    return _act(refunds.invoice_for_refund(refund_id).id, DecisionForm(),
                lambda form, actor: refunds.mark_processed(
                    refund_id, actor, form.reference.data, form.version.data),
                "Refund marked as processed.")


@bp.get("/refunds")
def index():
    filters = RefundFilter.from_args(request.args, current_settings().timezone)
    results = find_refunds(filters)
    response = fragment_or_page("admin/_refunds_table.html", "admin/refunds.html",
                                filters=filters, results=results, statuses=STATUSES,
                                totals=refund_totals(filters))
    # The address bar gets the short canonical URL of what is shown (as on All bookings).
    response.headers["HX-Push-Url"] = url_for(".index", **filters.to_args(page=results.page))
    return response


def _invoice(ref, status=200, error=None, done=None):
    """The invoice fragment for htmx, else the booking page (which shows the same invoice)."""
    return fragment_or_page("booking/_invoice.html", "admin/booking.html", status,
                            invoice_error=error, invoice_done=done, **admin.booking_context(ref))


def _act(invoice_id, form, command, done):
    """Validate the form, run the billing command, and answer with the invoice redrawn."""
    ref = refunds.booking_ref_for_invoice(invoice_id)
    if not form.validate_on_submit():
        return _invoice(ref, 422, first_error(form))
    try:
        command(form, actor_for(current_user))
    except DomainError as exc:
        return _invoice(ref, exc.status, exc.message)
    if is_htmx():
        return trigger(_invoice(ref, done=done), invoiceChanged={"ref": ref})
    flash(done, "success")
    return redirect(url_for("admin.bookings.show", ref=ref, _anchor=f"invoice-{ref}"))
