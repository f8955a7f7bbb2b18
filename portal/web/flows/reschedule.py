"""The reschedule pop-up for every audience: pick a date, see its free times (htmx swaps them
when the date changes), confirm. Without JavaScript it is a page with a "Show times" button."""
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from flask import flash, redirect, request
from flask_babel import gettext as _
from flask_login import current_user

from ...bookings import availability
from ...bookings.scheduling import reschedule_booking
from ...kernel.actors import actor_for
from ...kernel.clock import utcnow
from ...kernel.errors import DomainError, InvalidInput, refusal
from ...kernel.input_limits import year_ok
from ...kernel.timefmt import to_local
from ..app.current import current_settings
from ..app.htmx import fragment_or_page, into_modal, is_htmx, trigger
from ..app.return_to import back_to_list, return_to
from ..forms import RescheduleForm
from . import series as series_flow

HORIZON_DAYS = 180  # how far ahead the picker goes


def acting(context):
    """The signed-link page acts as the link's customer; every other page as who is logged in."""
    return context.get("actor") or actor_for(current_user)


def parse_day(raw, today):
    """A YYYY-MM-DD date from the picker, between today and the horizon; InvalidInput if not."""
    try:
        day = date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        raise InvalidInput(_("That isn't a date. Pick one from the calendar.")) from None
    if not today <= day <= today + timedelta(days=HORIZON_DAYS):
        raise InvalidInput(_("Pick a date between today and %(days)s days ahead.",
                             days=HORIZON_DAYS))
    return day


def parse_start(raw):
    """The chosen start as naive UTC (the radio values are UTC ISO times)."""
    try:
        start = datetime.fromisoformat((raw or "").strip()[:25])
    except ValueError:
        raise InvalidInput(_("Please pick one of the times shown.")) from None
    if start.tzinfo is not None or not year_ok(start):  # far years overflow when shown
        raise InvalidInput(_("Please pick one of the times shown."))
    return start


def first_error(form):
    """The first field message, shown above the form (the CSRF one has its own page)."""
    return next((e for errors in form.errors.values() for e in errors), None)


def _last(today):
    return today + timedelta(days=HORIZON_DAYS)


def week_of(day, today):
    """The seven days the strip shows around `day`: its week from Monday, never before today
    nor past the horizon."""
    last = _last(today)
    start = max(today, min(day - timedelta(days=day.weekday()), last - timedelta(days=6)))
    return [start + timedelta(days=n) for n in range(7) if start + timedelta(days=n) <= last]


def times_by_day(slots, days, tz):
    """{day: [slots]} for each day of the strip (in one pass over the week's slots)."""
    found = {d: [] for d in days}
    for slot in slots:
        found.setdefault(to_local(slot.starts_at, tz).date(), []).append(slot)
    return found


def _picker(audience, context, form, day, status=200, error=None):
    settings, now = current_settings(), utcnow()
    booking = context["booking"]
    actor = acting(context)
    real_time = settings.real_time_availability if actor.is_customer else True
    today = to_local(now, settings.timezone).date()
    back = return_to()  # opened from a list row: every link and form of the step keeps it
    base_url = audience.reschedule_url(booking.ref)
    reschedule_url = base_url + ("?" + urlencode({"next": back}) if back else "")
    week = week_of(day, today)  # one look-up for the week: the strip says which days are free
    by_day = times_by_day(availability.free_slots(
        booking.service, week[0], week[-1], settings=settings, now=now,
        ignore_booking=booking.id, real_time=real_time), week, settings.timezone)
    values = dict(context, audience=audience, form=form, day=day, slots=by_day.get(day, []),
                  error=error, week=week, by_day=by_day, real_time=real_time,
                  earlier=max(today, week[0] - timedelta(days=7)) if week[0] > today else None,
                  later=week[-1] + timedelta(days=1) if week[-1] < _last(today) else None,
                  min_day=today, max_day=_last(today),
                  current_local=to_local(booking.starts_at, settings.timezone),
                  reschedule_url=reschedule_url, return_to=back,
                  day_url=lambda d: base_url + "?" + urlencode(
                      {"date": d.isoformat(), **({"next": back} if back else {})}),
                  back_url=back or audience.booking_url(booking.ref), plain_form=audience.plain,
                  staff_choices=availability.qualified_staff(booking.service)
                  if audience.choose_staff else [],
                  series_moves=series_flow.move_choices(booking))
    if is_htmx() and request.headers.get("HX-Target") == "reschedule-times":
        return fragment_or_page("booking/_reschedule_times.html", "booking/reschedule.html",
                                status=status, **values)
    response = fragment_or_page("booking/_reschedule_modal.html", "booking/reschedule.html",
                                status=status, **values)
    return into_modal(response) if is_htmx() and request.method == "POST" else response


def _default_day(booking, settings, now):
    today = to_local(now, settings.timezone).date()
    return max(today, to_local(booking.starts_at, settings.timezone).date())


def run(audience, ref, load):
    """GET shows the picker (for ?date=); POST moves the booking and answers with its card."""
    context = load(ref)
    booking, settings, now = context["booking"], current_settings(), utcnow()
    form = RescheduleForm(version=booking.version)
    verdict = context["booking_page"].reschedule  # bookings/page.py
    try:
        raw = request.values.get("date")
        today = to_local(now, settings.timezone).date()
        day = parse_day(raw, today) if raw else _default_day(booking, settings, now)
    except InvalidInput as exc:
        return _picker(audience, context, form, _default_day(booking, settings, now), 422,
                       exc.message)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else (200 if verdict else refusal(verdict).status)
        return _picker(audience, context, form, day, status, first_error(form))
    try:
        if scope := series_flow.wanted(form, "move"):
            said = series_flow.move(form, scope, ref, acting(context), audience.channel,
                                    parse_start(form.start.data), settings,
                                    form.fieldworker.data if audience.choose_staff else None)
            return series_flow.done(said, audience.booking_url(ref))
        fieldworker = form.fieldworker.data if audience.choose_staff else None
        reschedule_booking(ref, acting(context), channel=audience.channel,
                           starts_at=parse_start(form.start.data),
                           expected_version=form.version.data, fieldworker=fieldworker or None)
    except DomainError as exc:
        return _picker(audience, load(ref), form, day, exc.status, exc.message)
    done = str(audience.moved)
    if back := return_to():
        flash(done, "success")
        return back_to_list(back, bookingChanged={"ref": ref})
    if is_htmx() and not audience.plain:
        response = fragment_or_page(audience.card, audience.page, just_cancelled=done,
                                    **load(ref))
        return trigger(response, after="Settle", bookingChanged={"ref": ref})
    flash(done, "success")
    return redirect(audience.booking_url(ref))
