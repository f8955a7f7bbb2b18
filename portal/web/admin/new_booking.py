"""New booking (admin): pick or add the customer, the service, a date and one of its free
times (htmx swaps the times when a choice changes; without JavaScript "Show times" reloads
the page), then book. Plain POST, then the new booking's page."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from ...bookings import new_booking, series
from ...kernel.actors import actor_for
from ...kernel.clock import utcnow
from ...kernel.errors import DomainError
from ...kernel.timefmt import when
from ..app.current import current_settings
from ..app.htmx import fragment_or_page, is_htmx
from ..flows.reschedule import parse_start
from ..flows import repeat
from .forms import NewBookingForm, field_error

bp = Blueprint("new_booking", __name__, url_prefix="/bookings")
FRAGMENTS = {"new-booking-times": "admin/_new_booking_times.html",
             "customer-matches": "admin/_customer_matches.html"}


def _page(form, status=200, error=None, taken=None):
    p = new_booking.picker(request.values, current_settings(), utcnow())
    if p.customer and not form.is_submitted():  # the visit starts at the customer's address
        form.address.data = p.customer.address
    target = request.headers.get("HX-Target") if is_htmx() else None
    return fragment_or_page(FRAGMENTS.get(target, "admin/new_booking.html"),
                            "admin/new_booking.html", status=status, form=form, p=p,
                            error=error, fieldset_id="new-booking-times-list",
                            taken=taken, repeat_kinds=repeat.KINDS,
                            day=p.day, slots=p.slots, oob=target == "new-booking-times")


SHOWN = ("new_name", "new_email", "new_phone", "address", "notes",  # drawn with their errors
         "repeat", "repeat_every", "repeat_end", "repeat_count", "repeat_until")


def _top_error(form):
    """The message above the form: fields drawn with their own message only point to it."""
    hidden = {name: errors for name, errors in form.errors.items() if name not in SHOWN}
    if hidden:
        return next(e for errors in hidden.values() for e in errors)
    return "Please check the highlighted fields; nothing was saved."


def _done(booking, customer, created):
    said = (f"Booked {booking.ref} for {customer.name} on "
            f"{when(booking.starts_at, current_settings().timezone)}. We've emailed "
            f"{customer.email} the confirmation")
    return said + (" and an invitation to set a password." if created else ".")


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = NewBookingForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return _page(form, status, _top_error(form) if status == 422 else None)
    if repeat.repeats(form):
        return _book_series(form)
    try:
        booking, customer, created = new_booking.book_for_customer(
            actor_for(current_user), customer_id=form.customer.data,
            new_customer={"name": form.new_name.data, "email": form.new_email.data,
                          "phone": form.new_phone.data},
            service_id=form.service.data, starts_at=parse_start(form.start.data),
            fieldworker=form.fieldworker.data, address=form.address.data,
            notes=form.notes.data)
    except DomainError as exc:
        shown = exc.code in SHOWN and field_error(form, exc)
        return _page(form, exc.status, None if shown else exc.message)
    flash(_done(booking, customer, created), "success")
    return redirect(url_for("admin.bookings.show", ref=booking.ref))


def _book_series(form):
    """Repeat chosen: every visit booked at once, or the dates that are taken listed (409)
    with a box to skip each, for a second submit."""
    tz = current_settings().timezone
    try:
        made, bookings, customer, created, missing = repeat.book(
            actor_for(current_user), form, parse_start(form.start.data), tz)
    except series.SeriesTaken as exc:
        return _page(form, exc.status, exc.message, taken=exc.taken)
    except DomainError as exc:
        shown = exc.code in SHOWN and field_error(form, exc)
        return _page(form, exc.status, None if shown else exc.message)
    said = (f"Booked a series of {len(bookings)} visits for {customer.name}, from "
            f"{when(bookings[0].starts_at, tz)} to {when(bookings[-1].starts_at, tz)}. We've "
            f"emailed {customer.email} a confirmation for each visit")
    flash(said + (" and an invitation to set a password." if created else "."), "success")
    for note in missing:
        flash(note, "info")
    return redirect(url_for("admin.bookings.show", ref=bookings[0].ref))
