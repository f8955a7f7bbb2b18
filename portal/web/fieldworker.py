"""The fieldworker area: notifications about their jobs."""
from flask import Blueprint, render_template
from flask_login import current_user

from ..messaging import notify
from .access import staff_required

bp = Blueprint("fieldworker", __name__, url_prefix="/fieldworker")


@bp.get("/notifications")
@staff_required
def notifications():
    return render_template("fieldworker/notifications.html",
                           notifications=list(notify.for_staff(current_user.id)),
                           unread=notify.unread_count(current_user.id))
