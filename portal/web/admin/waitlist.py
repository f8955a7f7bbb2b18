"""Admin > Waitlist: who is waiting, per service and day (read only: customers join and leave
themselves), and how a released time is offered to them."""
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...bookings import queries, waitlist
from ...kernel.actors import actor_for
from ...kernel.clock import utcnow
from ...kernel.errors import DomainError, InvalidInput
from ...kernel.input_limits import is_id
from ...kernel.timefmt import to_local
from ..app.current import current_settings
from ..forms import Form

bp = Blueprint("waitlist", __name__, url_prefix="/waitlist")


def _choices(args, today):
    """The service (None: all) and day the URL asks for; unusable values become notes."""
    notes, service, day = [], None, today
    raw = (args.get("service") or "").strip()
    if raw:
        if is_id(raw):
            service = int(raw)
        else:
            notes.append("That isn't a service we know; showing every service.")
    raw = (args.get("date") or "").strip()
    if raw:
        try:
            day = date.fromisoformat(raw[:10])
        except ValueError:
            notes.append("That isn't a date; showing today.")
    return service, day, notes


def _page(status=200, error=None):
    settings, now = current_settings(), utcnow()
    today = to_local(now, settings.timezone).date()
    service, day, notes = _choices(request.args, today)
    return render_template("admin/waitlist.html", entries=waitlist.waiting_on(service, day, now),
                           services=queries.bookable_services(), service=service, day=day,
                           notes=notes, error=error, form=Form()), status


@bp.get("")
def index():
    return _page()


def _number(raw, what):
    raw = (raw or "").strip()
    if not raw:
        return 0
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6):
        raise InvalidInput(f"The {what} must be a whole number.")
    return int(raw)


@bp.post("/settings")
def save_settings():
    try:
        if not Form().validate_on_submit():
            raise InvalidInput("Your form had expired. Please save again.")
        everyone = request.form.get("mode") != "batch"
        batch = 0 if everyone else _number(request.form.get("batch"), "number of people")
        if not everyone and batch == 0:
            raise InvalidInput("Offer to at least 1 person at a time, or choose everyone "
                               "at once.")
        waitlist.update_waitlist_settings(
            batch, _number(request.form.get("claim_minutes"), "claim window"),
            actor_for(current_user))
    except DomainError as exc:
        return _page(exc.status, exc.message)
    flash("Waitlist settings saved.", "success")
    return redirect(url_for("admin.waitlist.index"))
