"""Schedule an appointment (customers): pick a service, a date and one of its free times."""
from datetime import timedelta

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...accounts.sessions import resume
from ...bookings import availability, policy, queries, series
from ...bookings.scheduling import book_appointment
from ...kernel.actors import actor_for
from ...kernel.clock import utcnow
from ...kernel.errors import DomainError, InvalidInput
from ...kernel.timefmt import to_local
from ..app.current import current_settings
from ..app.htmx import fragment_or_page
from ..flows.reschedule import HORIZON_DAYS, first_error, parse_day, parse_start
from ..flows import repeat
from ..forms import BookForm


def _service(raw, services):
    """The chosen active service (the first one when none is chosen yet)."""
    if raw in (None, ""):
        return services[0] if services else None
    chosen = [s for s in services if str(s.id) == str(raw).strip()]
    if not chosen:
        raise InvalidInput(_("Choose one of the services listed."))
    return chosen[0]


def _page(form, status=200, error=None, taken=None):
    settings, now = current_settings(), utcnow()
    today = to_local(now, settings.timezone).date()
    verdict = policy.can_book(resume(current_user.get_id()), settings)  # fresh flags
    services = queries.bookable_services()
    service, day, slots = None, today, []
    try:
        service = _service(request.values.get("service"), services)
        raw_day = request.values.get("date")
        day = parse_day(raw_day, today) if raw_day else today
    except InvalidInput as exc:
        error, status = error or exc.message, max(status, exc.status)
    if verdict and service is not None:
        slots = availability.free_slots(service, day, day, settings=settings, now=now,
                                        real_time=settings.real_time_availability)
    template = "customer/_book_times.html" if request.headers.get("HX-Target") == "book-times" \
        else None
    return fragment_or_page(template or "customer/schedule.html", "customer/schedule.html",
                            status=status, form=form, error=error, allowed=verdict,
                            services=services, service=service, day=day, slots=slots,
                            min_day=today, max_day=today + timedelta(days=HORIZON_DAYS),
                            fieldset_id="book-times-list", taken=taken,
                            repeat_kinds=repeat.KINDS)


def run():
    """GET shows the picker; POST books the chosen time and opens the new booking."""
    form = BookForm()
    if not form.validate_on_submit():
        return _page(form, 422 if form.is_submitted() else 200, first_error(form))
    if repeat.repeats(form):
        return _book_series(form)
    try:  # book_appointment asks the policy whether this customer may book online
        booking = book_appointment(current_user.id, form.service.data,
                                   parse_start(form.start.data), actor_for(current_user),
                                   channel="portal")
    except DomainError as exc:
        return _page(form, exc.status, exc.message)
    flash(_("Booked! We've emailed you a confirmation with the details."), "success")
    return redirect(url_for("customer.bookings.show", ref=booking.ref))


def _book_series(form):
    """Repeating visits (when the business allows them online): every visit booked at once,
    or the dates that are taken listed (409) with a box to skip each."""
    try:
        _series, bookings, *_rest = repeat.book_own(actor_for(current_user), form,
                                                    parse_start(form.start.data),
                                                    current_settings().timezone)
    except series.SeriesTaken as exc:
        return _page(form, exc.status, exc.message, taken=exc.taken)
    except DomainError as exc:
        return _page(form, exc.status, exc.message)
    flash(_("Booked %(num)s visits! We've emailed you a confirmation for each.",
            num=len(bookings)), "success")
    return redirect(url_for("customer.bookings.show", ref=bookings[0].ref))
