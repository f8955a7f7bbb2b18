"""Admin payments and refunds: record a payment, ask for / decide on / pay out a refund (on a
booking's or an order's invoice), and the refund queue.

Each action is a plain POST form (redirect back with a flash); htmx swaps just the invoice.
A refused action shows the invoice again with the message (422 invalid, 409 changed).
"""
from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ...billing import refunds
from ...billing.money import parse_amount
from ...billing.payments import record_payment
from ...billing.refund_queue import STATUSES, RefundFilter, find_refunds, refund_totals
from ...kernel.actors import actor_for
from ...kernel.errors import DomainError, InvalidInput
from ..app.current import current_settings
from ..app.htmx import fragment_or_page, is_htmx, trigger
from . import bookings as admin
from . import orders
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
    return _queue(request.args)


def _queue(args, status=200, error=None):
    """The queue under these filters; a decision made on it comes back here with its message."""
    filters = RefundFilter.from_args(args, current_settings().timezone)
    results = find_refunds(filters)
    response = fragment_or_page("admin/_refunds_table.html", "admin/refunds.html", status,
                                filters=filters, results=results, statuses=STATUSES,
                                totals=refund_totals(filters), error=error)
    # The address bar gets the short canonical URL of what is shown (as on All bookings).
    response.headers["HX-Push-Url"] = url_for(".index", **filters.to_args(page=results.page))
    return response


def _invoice(page, status=200, error=None, done=None):
    """The invoice fragment for htmx, else the booking's or order's page (which shows the same
    invoice); `page` is ("booking" or "order", reference)."""
    kind, ref = page
    if kind == "order":
        context = orders.order_context(ref, orders.AUDIENCE)
        return fragment_or_page("booking/_invoice.html", orders.AUDIENCE.page, status,
                                invoice_error=error, invoice_done=done, booking=context["order"],
                                **context)
    return fragment_or_page("booking/_invoice.html", "admin/booking.html", status,
                            invoice_error=error, invoice_done=done, **admin.booking_context(ref))


def _queue_back():
    """The queue address a decision made on the queue returns to (its filters kept), else
    None: only the queue's own path is followed, so the field can't send anyone elsewhere."""
    back = urlsplit(request.form.get("back", ""))
    if back.scheme or back.netloc or back.path != url_for(".index"):
        return None
    return back


def _act(invoice_id, form, command, done):
    """Validate the form, run the billing command, and answer with the invoice redrawn on its
    booking's or order's page (or, from the queue, the queue with its filters)."""
    page = refunds.page_for_invoice(invoice_id)
    kind, ref = page
    back = _queue_back()
    try:
        if not form.validate_on_submit():
            raise InvalidInput(first_error(form))
        command(form, actor_for(current_user))
    except DomainError as exc:
        if back:
            return _queue(MultiDict(parse_qsl(back.query)), exc.status, f"{ref}: {exc.message}")
        return _invoice(page, exc.status, exc.message)
    if back:
        flash(f"{ref}: {done}", "success")
        return redirect(back.geturl())
    if is_htmx():
        return trigger(_invoice(page, done=done), invoiceChanged={"ref": ref})
    flash(done, "success")
    endpoint = "admin.orders.show" if kind == "order" else "admin.bookings.show"
    return redirect(url_for(endpoint, ref=ref, _anchor=f"invoice-{ref}"))
