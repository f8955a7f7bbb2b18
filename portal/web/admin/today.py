"""Today: what an admin lands on. One day (or week) of bookings, with previous/next, a
fieldworker filter, and the past jobs still waiting to be closed."""
from flask import Blueprint, render_template, request

from ...bookings.agenda import AgendaFilter, agenda
from ...kernel.clock import utcnow
from ..app.current import current_settings

bp = Blueprint("today", __name__)


@bp.get("/today")
def index():
    now, tz = utcnow(), current_settings().timezone
    filters = AgendaFilter.from_args(request.args, tz, now)
    return render_template("admin/today.html", filters=filters, agenda=agenda(filters, tz, now),
                           today=AgendaFilter.from_args({}, tz, now).day)
