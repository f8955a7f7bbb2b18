"""The admin's bookings: the list, one booking with its history, cancel, reschedule, status."""
from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from ...audit.activity import timeline
from ...billing.invoice_reads import booking_with_invoice, read_for_staff
from ...billing.invoices import invoice_summary
from ...bookings.listing import VIEWS, BookingFilter, filter_options, find_bookings
from ...bookings.page import booking_page, row_actions
from ...kernel.actors import actor_for
from ...kernel.clock import utcnow
from ..app.current import current_settings, read_along, read_with_person
from ..app.htmx import fragment_or_page
from ..flows import cancel as cancel_flow
from ..flows import reschedule as reschedule_flow
from ..flows import status as status_flow
from ..flows.audience import Audience

bp = Blueprint("bookings", __name__)

AUDIENCE = Audience(
    channel="admin", card="booking/_staff_booking.html", page="admin/booking.html",
    booking_endpoint="admin.bookings.show", cancel_endpoint="admin.bookings.cancel",
    reschedule_endpoint="admin.bookings.reschedule", status_endpoint="admin.bookings.status",
    done="Booking cancelled. The customer is emailed and the fieldworkers are notified.",
    moved="Booking moved. The customer and the fieldworkers are told.",
    fees=True, choose_staff=True)


def booking_context(ref, rows=None):
    """`rows`: (booking, staff) already read this request (the cancel step's)."""
    settings = current_settings()
    if rows:
        booking, staff = rows
        invoice = None if booking is None else (  # as the cancellation left it, if it could tell
            getattr(booking, "invoice_after", None) or invoice_summary(booking, settings))
    else:  # the invoice read with the booking, in its statement (as the customer's page)
        booking, staff, invoice = booking_with_invoice(
            ref, None, settings, rows=read_along(read_for_staff(ref)))
    if booking is None:
        abort(404)
    page = booking_page(booking, staff, actor_for(current_user), settings, utcnow(),
                        invoice=invoice)
    return {"booking": booking, "staff": staff, "booking_page": page, "cancel": page.cancel,
            "audience": AUDIENCE, "status_choices": page.status_choices,
            "reschedule": page.reschedule, "reschedule_endpoint": "admin.bookings.reschedule",
            "details": page.details, "invoice": invoice, "refund_due": page.refund_due,
            "timeline": timeline("booking", booking.id)}


# The booking page and its cancel and reschedule steps read the booking in the statement that
# loads the staff member (their GET; web/app/current.py), as the customer's page does. Any
# booking's rows: only admins get past the admin area's gate to the view that takes them.
for _step in ("show", "cancel", "reschedule"):
    read_with_person(f"admin.bookings.{_step}", read_for_staff)


@bp.get("/bookings")
def index():
    settings, now = current_settings(), utcnow()
    filters = BookingFilter.from_args(request.args, settings.timezone)
    results = find_bookings(filters, now)
    # Each row's menu, asked of the policy from the rows in hand (no query per row).
    actor = actor_for(current_user)
    actions = {b.ref: row_actions(b, ids, actor, settings, now) for b, _, ids in results.rows}
    response = fragment_or_page("admin/_bookings_table.html", "admin/bookings.html",
                                filters=filters, results=results, options=filter_options(),
                                views=VIEWS, actions=actions)
    # The form sends every field, empty or not; the address bar gets the short canonical URL
    # of what is shown (bad args dropped, a page past the end as the last page).
    response.headers["HX-Push-Url"] = url_for(".index", **filters.to_args(page=results.page))
    return response


@bp.get("/bookings/<ref>")
def show(ref):
    return render_template(AUDIENCE.page, **booking_context(ref))


@bp.route("/bookings/<ref>/cancel", methods=["GET", "POST"])
def cancel(ref):
    return cancel_flow.run(AUDIENCE, ref, booking_context)


@bp.route("/bookings/<ref>/reschedule", methods=["GET", "POST"])
def reschedule(ref):
    return reschedule_flow.run(AUDIENCE, ref, booking_context)


@bp.route("/bookings/<ref>/status", methods=["GET", "POST"])
def status(ref):
    return status_flow.run(AUDIENCE, ref, booking_context)
