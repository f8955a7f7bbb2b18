"""Edit booking details (admin): address, notes for the fieldworker, and who does the visit.
A modal over the booking page with htmx (the card is swapped on success); a page without."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from ...bookings import details, policy
from ...kernel.actors import actor_for
from ...kernel.clock import utcnow
from ...kernel.errors import DomainError, refusal
from ..app.htmx import fragment_or_page, into_modal, is_htmx, trigger
from .bookings import booking_context
from .forms import BookingDetailsForm, first_error

bp = Blueprint("booking_details", __name__, url_prefix="/bookings")


def _show(ref, form=None, status=200, error=None):
    booking, staff, offered = details.details_choices(ref)
    if booking is None:
        abort(404)
    form = form or BookingDetailsForm(formdata=None, version=booking.version,
                                      address=booking.address, notes=booking.notes,
                                      fieldworkers=[str(s.id) for s in staff])
    allowed = policy.can_edit_details(booking, actor_for(current_user), utcnow())
    status = refusal(allowed).status if not allowed and status == 200 else status
    response = fragment_or_page(
        "admin/_details_modal.html", "admin/booking_details.html", status=status,
        booking=booking, staff=staff, offered=offered, form=form, error=error, allowed=allowed,
        chosen={int(i) for i in form.fieldworkers.data or [] if str(i).isdigit()})
    return into_modal(response) if is_htmx() and request.method == "POST" else response


@bp.route("/<ref>/details", methods=["GET", "POST"])
def edit(ref):
    """GET shows the form; POST saves it and answers with the booking card (or its page)."""
    form = BookingDetailsForm()
    if not form.validate_on_submit():
        return _show(ref, form if form.is_submitted() else None,
                     422 if form.is_submitted() else 200, first_error(form))
    try:
        _, changed = details.update_details(
            ref, actor_for(current_user), address=form.address.data, notes=form.notes.data,
            fieldworkers=form.fieldworkers.data, expected_version=form.version.data)
    except DomainError as exc:
        return _show(ref, form, exc.status, exc.message)
    done = "Details saved. The fieldworkers are told." if changed else "Nothing to change."
    if is_htmx():
        response = fragment_or_page("booking/_staff_booking.html", "admin/booking.html",
                                    just_cancelled=done, **booking_context(ref))
        return trigger(response, after="Settle", bookingChanged={"ref": ref})
    flash(done, "success")
    return redirect(url_for("admin.bookings.show", ref=ref))
