"""New order (admin): an order taken on the phone. Pick the customer (search, then Choose, as
on New booking), fill in quantities, place it: the same place_order as the shop's API (stock,
invoice, audit, webhook, the customer's confirmation email). Plain GET and POST forms; a
refusal shows the form again, quantities kept, with what to change."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from ...kernel.actors import actor_for
from ...kernel.errors import DomainError, InvalidInput
from ...orders.queries import products_for_sale
from ...orders.services import place_order
from ...people.customer_queries import picker_choices
from ..app.htmx import fragment_or_page
from ..forms import form_error
from .order_forms import PREFIX, NewOrderForm, chosen_items

bp = Blueprint("new_order", __name__, url_prefix="/orders")


def _page(form, products, status=200, error=None):
    q = request.args.get("q", "").strip()[:100]
    customer_id = form.customer.data if form.is_submitted() else _id(request.args.get("customer"))
    customer, matches = picker_choices(q, customer_id)
    if customer_id is not None and customer is None and error is None:
        error = "That customer no longer exists. Search again."
    return fragment_or_page("admin/_new_order_matches.html", "admin/new_order.html", status,
                            form=form, products=products, customer=customer, matches=matches,
                            q=q, error=error, prefix=PREFIX,
                            quantities={k: v for k, v in request.form.items()
                                        if k.startswith(PREFIX)})


def _id(raw):
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 10 else None


@bp.route("/new", methods=["GET", "POST"])
def new():
    form, products = NewOrderForm(), products_for_sale()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return _page(form, products, status, form_error(form) if status == 422 else None)
    try:
        if form.customer.data is None:
            raise InvalidInput("Choose a customer first: search, then press Choose.")
        order = place_order(form.customer.data, chosen_items(request.form, products),
                            actor_for(current_user), channel="admin")
    except DomainError as exc:
        return _page(form, products, exc.status, exc.message)
    flash(f"Order {order.ref} placed. We've emailed the customer the confirmation.", "success")
    return redirect(url_for("admin.orders.show", ref=order.ref))
