"""The customer's orders: the list, one order with its timeline, and cancelling it (the
shared step in portal/web/flows/orders.py)."""
from flask import Blueprint, render_template
from flask_login import current_user

from ...billing.invoice_reads import invoice_by_id
from ...orders import queries
from ..app.access import customer_required
from ..flows.orders import OrderAudience, order_context, run_cancel
from flask_babel import lazy_gettext as _l

bp = Blueprint("orders", __name__)


AUDIENCE = OrderAudience(channel="portal", page="customer/order.html",
                         order_endpoint="customer.orders.show",
                         cancel_endpoint="customer.orders.cancel",
                         done=_l("Your order is cancelled. We've emailed you a confirmation."))


def _mine(ref):
    context = order_context(ref, AUDIENCE, customer_id=current_user.id)
    # What was paid and refunded, as on the customer's booking page.
    return {**context, "invoice": invoice_by_id(context["order"].invoice_id)}


@bp.get("/orders")
@customer_required
def index():
    return render_template("customer/orders.html", orders=queries.customer_orders(current_user.id))


@bp.get("/orders/<ref>")
@customer_required
def show(ref):
    return render_template(AUDIENCE.page, **_mine(ref))


@bp.route("/orders/<ref>/cancel", methods=["GET", "POST"])
@customer_required
def cancel(ref):
    return run_cancel(AUDIENCE, ref, _mine)
