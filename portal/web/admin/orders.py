"""The back office's orders: the filtered list and one order with its history."""
from flask import Blueprint, render_template, request, url_for

from ...orders.queries import VIEWS, OrderFilter, find_orders
from ..app.current import current_settings
from ..app.htmx import fragment_or_page
from ..flows.orders import OrderAudience, order_context, run_cancel

bp = Blueprint("orders", __name__)

AUDIENCE = OrderAudience(
    channel="admin", page="admin/orders_detail.html", order_endpoint="admin.orders.show",
    cancel_endpoint="admin.orders.cancel", staff=True,
    done="Order cancelled. The customer is emailed; any refund is in the queue.")


def _load(ref):
    return order_context(ref, AUDIENCE)


@bp.get("/orders")
def index():
    filters = OrderFilter.from_args(request.args, current_settings().timezone)
    results = find_orders(filters)
    response = fragment_or_page("admin/_orders_table.html", "admin/orders.html",
                                filters=filters, results=results, views=VIEWS)
    # The address bar gets the short canonical URL of what is shown, as for bookings.
    response.headers["HX-Push-Url"] = url_for(".index", **filters.to_args(page=results.page))
    return response


@bp.get("/orders/<ref>")
def show(ref):
    return render_template(AUDIENCE.page, **_load(ref))


@bp.route("/orders/<ref>/cancel", methods=["GET", "POST"])
def cancel(ref):
    return run_cancel(AUDIENCE, ref, _load)
