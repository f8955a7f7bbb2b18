"""Admin > Settings > Working hours (with the booking settings) and Blocked time.

Plain forms, POST-redirect-GET with a flash; the "whose hours" switcher swaps the hours table
with htmx when JavaScript is there.
"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...bookings import hours, hours_admin
from ...bookings.availability import STEPS
from ...kernel.actors import actor_for
from ...kernel.clock import utcnow
from ...kernel.errors import DomainError, InvalidInput
from ...kernel.input_limits import is_id
from ..app.current import current_settings
from ..app.htmx import fragment_or_page
from .availability_forms import (BlockForm, BookingSettingsForm, HoursForm, RowActionForm,
                                 read_week, week_text)

bp = Blueprint("availability", __name__, url_prefix="/availability")


def _hours_page(staff_id, status=200, days=None, error=None, booking_form=None):
    """The hours of the business (staff_id None) or one fieldworker; `days` and `error` put
    back what was typed and what is wrong with it."""
    week, own = hours_admin.week_for(staff_id)
    people = hours_admin.fieldworkers()
    return fragment_or_page(
        "admin/_hours_editor.html", "admin/hours.html", status, people=people,
        owner=next((p for p in people if p.id == staff_id), None), own=own,
        days=days or week_text(week), error=error and error.message,
        day_errors=getattr(error, "days", {}), bad_fields=getattr(error, "fields", set()),
        form=HoursForm(formdata=None), weekdays=hours.WEEKDAYS, max_spans=hours.MAX_SPANS,
        default_hours=hours.week_summary(hours.DEFAULT_WEEK), steps=STEPS,
        booking_form=booking_form or BookingSettingsForm(obj=current_settings(), formdata=None))


@bp.get("/hours")
def hours_page():
    raw = request.args.get("staff", "")
    if raw and not is_id(raw):
        raise InvalidInput(hours_admin.UNKNOWN_STAFF)
    return _hours_page(int(raw) if raw else None)


@bp.post("/hours")
def save_hours():
    form = HoursForm()
    if not form.validate_on_submit():
        raise InvalidInput(next(e for errors in form.errors.values() for e in errors))
    staff_id, days = form.staff.staff_id, read_week(request.form)
    try:
        if form.action.data == "reset":
            changed = hours_admin.reset_week(staff_id, actor_for(current_user))
        else:
            changed = hours_admin.save_week(staff_id, days, actor_for(current_user))
    except DomainError as exc:
        if exc.code == "staff":
            raise
        return _hours_page(staff_id, exc.status, days, exc)
    flash("Working hours saved." if changed else "Nothing to change.", "success")
    return redirect(url_for(".hours_page", staff=staff_id))


@bp.post("/booking")
def booking_settings():
    form = BookingSettingsForm()
    try:
        if not form.validate_on_submit():
            return _hours_page(None, 422, booking_form=form)
        values = {name: form[name].data for name in hours_admin.BOOKING_FIELDS}
        changed = hours_admin.update_booking_settings(values, actor_for(current_user))
    except InvalidInput as exc:
        form[exc.code].errors = [exc.message]
        return _hours_page(None, exc.status, booking_form=form)
    flash("Booking settings saved." if changed else "Nothing to change.", "success")
    return redirect(url_for(".hours_page") + "#booking-settings")


def _blocked_page(form=None, status=200):
    return render_template("admin/blocked.html", form=form or BlockForm(formdata=None),
                           people=hours_admin.fieldworkers(),
                           blocks=hours_admin.upcoming_blocks(utcnow())), status


@bp.get("/blocked")
def blocked():
    return _blocked_page()


@bp.post("/blocked")
def add_block():
    form = BlockForm()
    if not form.validate_on_submit():
        return _blocked_page(form, 422)
    try:
        hours_admin.add_block(form.staff.staff_id, form.starts_at.data, form.ends_at.data,
                              form.reason.data, actor_for(current_user), utcnow())
    except InvalidInput as exc:
        form[exc.code].errors = [exc.message]
        return _blocked_page(form, exc.status)
    flash("Blocked time added.", "success")
    return redirect(url_for(".blocked"))


@bp.post("/blocked/<int:block_id>/delete")
def delete_block(block_id):
    if not RowActionForm().validate_on_submit():
        raise InvalidInput("Reload the page and try again.")
    hours_admin.delete_block(block_id, actor_for(current_user))  # NotFound: the 404 page
    flash("Blocked time removed.", "success")
    return redirect(url_for(".blocked"))
