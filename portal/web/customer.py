"""The customer portal: my bookings, one booking, cancel it."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import current_settings
from ..actors import actor_for
from ..bookings import policy, queries
from ..bookings.services import cancel_booking
from ..errors import DomainError
from ..people import utcnow
from ..settings import CancellationReason
from .access import customer_required
from .forms import CancelForm
from .htmx import fragment_or_page, into_modal, is_htmx, trigger

bp = Blueprint("customer", __name__)


def booking_context(ref):
    """The booking, its fieldworkers and what the policy lets this customer do, or a 404."""
    booking, staff = queries.booking_detail(ref, customer_id=current_user.id)
    if booking is None:
        abort(404)
    verdict = policy.can_cancel(booking, actor_for(current_user), current_settings(), utcnow(),
                                {s.id for s in staff})
    return {"booking": booking, "staff": staff, "cancel": verdict}


@bp.get("/")
def index():
    if current_user.is_authenticated and current_user.kind == "customer":
        return redirect(url_for(".my_bookings"))
    return redirect(url_for("auth.login"))


@bp.get("/bookings")
@customer_required
def my_bookings():
    view = request.args.get("show", "upcoming")
    view = view if view in queries.VIEWS else "upcoming"
    bookings = list(queries.customer_bookings(current_user.id, view, utcnow()))
    return fragment_or_page("customer/_booking_list.html", "customer/bookings.html",
                            bookings=bookings, view=view)


@bp.get("/bookings/<ref>")
@customer_required
def booking(ref):
    return render_template("customer/booking.html", **booking_context(ref))


@bp.route("/bookings/<ref>/cancel", methods=["GET", "POST"])
@customer_required
def cancel(ref):
    context = booking_context(ref)
    form = CancelForm(version=context["booking"].version)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else (200 if context["cancel"] else 409)
        return cancel_form(context, form, status)
    try:
        cancel_booking(ref, actor_for(current_user), channel="portal", reason_id=form.reason.data,
                       note=form.note.data, expected_version=form.version.data)
    except DomainError as exc:
        return cancel_form(booking_context(ref), form, exc.status, exc.message)
    if is_htmx():
        response = fragment_or_page("customer/_booking.html", "customer/booking.html",
                                    just_cancelled=True, **booking_context(ref))
        return trigger(response, after="Settle", bookingCancelled={"ref": ref})
    flash("Your booking is cancelled. We've emailed you a confirmation.", "success")
    return redirect(url_for(".booking", ref=ref))


def cancel_form(context, form, status, error=None):
    """The confirm step: a modal for htmx, a page without JavaScript."""
    response = fragment_or_page("customer/_cancel_modal.html", "customer/cancel.html",
                                status=status, form=form, error=error,
                                reasons=list(CancellationReason.listed()), **context)
    return into_modal(response) if is_htmx() and request.method == "POST" else response


@bp.get("/book")
@customer_required
def schedule():
    return render_template("customer/schedule.html")
