"""The cancel step's scope for a visit of a series: "This visit" goes the single-booking way
(flows/cancel.py); "This and following" and "The whole series" go to
bookings/series_cancel.cancel_series, for every audience that can cancel."""
import json

from flask import flash, make_response, redirect
from flask_babel import gettext as _

from ...bookings import series_cancel, series_move
from ...kernel.clock import utcnow
from ...kernel.errors import InvalidInput
from ...kernel.timefmt import when
from ..app.htmx import is_htmx


def choices(booking, actor, settings):
    """The three scopes with the visits each touches (none for a single booking)."""
    return series_cancel.choices(booking, actor, settings, utcnow())


def wanted(form, doing="cancel") -> str:
    """The scope the form asks for: "" for this visit alone; InvalidInput for a made-up one."""
    scope = (form.scope.data or "").strip()
    if scope in ("", series_cancel.THIS):
        return ""
    if scope not in series_cancel.SCOPES:
        raise InvalidInput(_("Choose which visits to move from the list.") if doing == "move"
                           else _("Choose which visits to cancel from the list."))
    return scope


def move_choices(booking):
    """For the reschedule step: [(scope, label, visits, versions)] (none for a single one)."""
    visits = series_move.scope_visits(booking, utcnow())
    return [(scope, label, visits[scope], series_move.versions(visits[scope]))
            for scope, label in series_cancel.SCOPES.items()] if visits else []


def move(form, scope, ref, actor, channel, starts_at, settings, fieldworker=None):
    """Move the scope's visits by the same shift; returns what to tell the person. A chosen
    fieldworker is for one visit: refused here rather than dropped."""
    if fieldworker:
        raise InvalidInput(_("Choosing the fieldworker is for this visit alone. Move the other "
                           "visits keeping their fieldworkers, or move this visit on its own."))
    versions = (form.versions_following if scope == series_cancel.FOLLOWING
                else form.versions_all).data
    moved = series_move.move_series(ref, actor, scope=scope, starts_at=starts_at,
                                    channel=channel, versions_shown=versions)
    days = ", ".join(when(b.starts_at, settings.timezone) for b, _old in moved)
    return _("Moved %(num)s visits: now %(days)s.", num=len(moved), days=days)


def cancel(form, scope, ref, actor, channel, settings, fee=None):
    """Cancel the scope's visits; returns what to tell the person. `fee`: an admin's chosen
    fee, which is for one visit: refused here rather than dropped or charged on every visit."""
    if fee:
        raise InvalidInput(_("A fee you add is for this visit alone. Cancel the other visits "
                           "without a fee, or cancel this visit on its own with the fee."))
    versions = (form.versions_following if scope == series_cancel.FOLLOWING
                else form.versions_all).data
    choice = series_cancel.cancel_series(ref, actor, scope=scope, channel=channel,
                                         versions=versions, reason_id=form.reason.data,
                                         note=form.note.data, settings=settings)
    days = ", ".join(when(v.booking.starts_at, settings.timezone) for v in choice.cancels)
    said = _("Cancelled %(num)s visits: %(days)s.", num=len(choice.cancels), days=days)
    if choice.refused:
        kept = ", ".join(when(v.booking.starts_at, settings.timezone) for v in choice.refused)
        said += " " + _("Still booked: %(kept)s (%(why)s)", kept=kept,
                          why=choice.refused[0].verdict.message)
    return said


def done(said, url):
    """Back to the booking page, with the message: a full page (the card alone can't show the
    other visits), for htmx by HX-Redirect."""
    flash(said, "success")
    if not is_htmx():
        return redirect(url)
    response = make_response("", 200)
    response.headers["HX-Redirect"] = url
    response.headers["HX-Trigger"] = json.dumps({"bookingCancelled": {"scope": "series"}})
    return response
