"""The admin back office: bookings (with their history) and the email log."""
from flask import (Blueprint, abort, flash, make_response, redirect, render_template, request,
                   url_for)
from flask_login import current_user

from ...activity import timeline
from ...actors import actor_for
from ...bookings import policy, queries
from ...bookings.listing import VIEWS, BookingFilter, filter_options, find_bookings
from ...messaging import outbox
from ...messaging.queries import email_log, email_message
from ...people import utcnow
from ... import current_settings
from ...billing.invoices import invoice_summary
from ..flows import cancel as cancel_flow
from ..flows import reschedule as reschedule_flow
from ..flows import status as status_flow
from ..app.access import admin_required
from ..app.htmx import fragment_or_page
from ..app.security_headers import email_preview

bp = Blueprint("admin", __name__, url_prefix="/admin")

AUDIENCE = cancel_flow.Audience(
    channel="admin", card="_staff_booking.html", page="admin/booking.html",
    booking_endpoint="admin.booking", cancel_endpoint="admin.cancel",
    done="Booking cancelled. The customer is emailed and the fieldworkers are notified.",
    fees=True, status_endpoint="admin.status")
MOVER = reschedule_flow.Mover(
    channel="admin", card="_staff_booking.html", page="admin/booking.html",
    booking_url=lambda ref: url_for("admin.booking", ref=ref),
    reschedule_url=lambda ref: url_for("admin.reschedule", ref=ref),
    moved="Booking moved. The customer and the fieldworkers are told.", choose_staff=True)


def booking_context(ref):
    booking, staff = queries.staff_booking(ref)
    if booking is None:
        abort(404)
    verdict = cancel_flow.cancel_verdict(booking, staff)
    invoice = invoice_summary(booking, current_settings())
    return {"booking": booking, "staff": staff, "cancel": verdict, "audience": AUDIENCE,
            "status_choices": status_flow.choices(booking, staff),
            "reschedule": reschedule_flow.reschedule_verdict(booking, staff),
            "reschedule_endpoint": "admin.reschedule",
            "details": policy.can_edit_details(booking, actor_for(current_user), utcnow()),
            "invoice": invoice,
            "refund_due": policy.refund_due(invoice.total, invoice.paid, invoice.refunded,
                                            invoice.refund_pending)
            if booking.is_cancelled else 0,
            "timeline": timeline("booking", booking.id)}


@bp.get("/bookings")
@admin_required
def bookings():
    filters = BookingFilter.from_args(request.args, current_settings().timezone)
    results = find_bookings(filters, utcnow())
    response = fragment_or_page("admin/_bookings_table.html", "admin/bookings.html",
                                filters=filters, results=results, options=filter_options(),
                                views=VIEWS)
    # The form sends every field, empty or not; the address bar gets the short canonical URL
    # of what is shown (bad args dropped, a page past the end as the last page).
    response.headers["HX-Push-Url"] = url_for(".bookings", **filters.to_args(page=results.page))
    return response


@bp.get("/bookings/<ref>")
@admin_required
def booking(ref):
    return render_template(AUDIENCE.page, **booking_context(ref))


@bp.route("/bookings/<ref>/cancel", methods=["GET", "POST"])
@admin_required
def cancel(ref):
    return cancel_flow.run(AUDIENCE, ref, booking_context)


@bp.route("/bookings/<ref>/reschedule", methods=["GET", "POST"])
@admin_required
def reschedule(ref):
    return reschedule_flow.run(MOVER, ref, booking_context)


@bp.route("/bookings/<ref>/status", methods=["GET", "POST"])
@admin_required
def status(ref):
    return status_flow.run(AUDIENCE, ref, booking_context)


@bp.get("/emails")
@admin_required
def emails():
    return render_template("admin/emails.html", messages=list(email_log()))


@bp.get("/emails/<int:message_id>")
@admin_required
def email(message_id):
    message = email_message(message_id)
    if message is None:
        abort(404)
    return render_template("admin/email.html", message=message)


@bp.get("/emails/<int:message_id>/html")
@admin_required
def email_html(message_id):
    """The email's HTML as sent, for the frame on its page: a document of its own, so its
    inline styles apply under a policy of its own (security_headers.EMAIL_PREVIEW_CSP)."""
    message = email_message(message_id)
    if message is None:
        abort(404)
    return email_preview(make_response(message.body_html))


@bp.post("/emails/<int:message_id>/resend")
@admin_required
def resend(message_id):
    if not outbox.requeue(message_id):
        abort(404)
    flash("The email is queued to be sent again.", "success")
    return redirect(url_for(".email", message_id=message_id))
