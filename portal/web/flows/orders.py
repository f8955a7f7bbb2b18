"""Cancelling an order, for every audience (customers and admins): the confirm step (a modal
for htmx, a page without JavaScript) and its POST. An order's confirm step is its own, not the
booking's: no fees, no late fee, no linked systems."""
from dataclasses import dataclass

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ...bookings import policy
from ...kernel.actors import actor_for
from ...kernel.clock import utcnow
from ...kernel.errors import DomainError, refusal
from ...orders import queries
from ...orders.services import cancel_order
from ...settings import CancellationReason
from ..app.current import current_settings
from ..app.htmx import fragment_or_page, into_modal, is_htmx, trigger
from ..forms import CancelForm, form_error


@dataclass(frozen=True)
class OrderAudience:
    channel: str         # recorded on the order and its audit event
    page: str            # the order page; it includes orders/_order.html (root #order-<ref>)
    order_endpoint: str  # where a plain (no-JavaScript) POST returns to
    cancel_endpoint: str
    done: str            # what the person is told afterwards
    staff: bool = False  # show the customer and the full history


def order_context(ref, audience, customer_id=None):
    """The order, its items and history, and what the policy lets this person do, or a 404."""
    context = queries.order_detail(ref, customer_id=customer_id,
                                   settings=current_settings() if audience.staff else None)
    if context is None:
        abort(404)
    context["cancel"] = policy.can_cancel_order(context["order"], actor_for(current_user),
                                                current_settings(), utcnow())
    return {**context, "audience": audience}


def _confirm(audience, context, form, status, error=None):
    """The confirm step: a modal for htmx, a page without JavaScript."""
    ref = context["order"].ref
    response = fragment_or_page(
        "orders/_cancel_modal.html", "orders/cancel.html", status=status, form=form,
        error=error, reasons=list(CancellationReason.listed()),
        cancel_url=url_for(audience.cancel_endpoint, ref=ref),
        back_url=url_for(audience.order_endpoint, ref=ref), **context)
    return into_modal(response) if is_htmx() and request.method == "POST" else response


def run_cancel(audience, ref, load):
    """GET shows the confirm step; POST cancels and answers with the updated order card."""
    context = load(ref)
    form = CancelForm(version=context["order"].version)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else (
            200 if context["cancel"] else refusal(context["cancel"]).status)
        return _confirm(audience, context, form, status, form_error(form))
    try:
        cancel_order(ref, actor_for(current_user), channel=audience.channel,
                     reason_id=form.reason.data, note=form.note.data,
                     expected_version=form.version.data)
    except DomainError as exc:
        return _confirm(audience, load(ref), form, exc.status, exc.message)
    if is_htmx():
        response = fragment_or_page("orders/_order.html", audience.page, closes_modal=True,
                                    just_cancelled=str(audience.done), **load(ref))
        return trigger(response, after="Settle", orderCancelled={"ref": ref})
    flash(str(audience.done), "success")
    return redirect(url_for(audience.order_endpoint, ref=ref))
