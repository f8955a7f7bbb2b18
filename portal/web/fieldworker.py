"""The fieldworker area: my jobs, a job's page (cancel it when permitted), notifications."""
from flask import Blueprint, abort, render_template
from flask_login import current_user

from ..bookings import queries
from ..messaging import notify
from ..people import utcnow
from . import cancel_flow
from .access import staff_required

bp = Blueprint("fieldworker", __name__, url_prefix="/fieldworker")

AUDIENCE = cancel_flow.Audience(
    channel="fieldworker", card="_staff_booking.html", page="fieldworker/job.html",
    booking_endpoint="fieldworker.job", cancel_endpoint="fieldworker.cancel",
    done="Job cancelled. The customer is emailed.")


def job_context(ref):
    """A job assigned to the current fieldworker (admins see any), or a 404."""
    mine_only = None if current_user.kind == "admin" else current_user.id
    booking, staff = queries.staff_booking(ref, staff_id=mine_only)
    if booking is None:
        abort(404)
    verdict = cancel_flow.cancel_verdict(booking, staff)
    return {"booking": booking, "staff": staff, "cancel": verdict, "audience": AUDIENCE}


@bp.get("/jobs")
@staff_required
def jobs():
    return render_template("fieldworker/jobs.html",
                           jobs=list(queries.staff_jobs(current_user.id, utcnow())))


@bp.get("/jobs/<ref>")
@staff_required
def job(ref):
    return render_template(AUDIENCE.page, **job_context(ref))


@bp.route("/jobs/<ref>/cancel", methods=["GET", "POST"])
@staff_required
def cancel(ref):
    return cancel_flow.run(AUDIENCE, ref, job_context)


@bp.get("/notifications")
@staff_required
def notifications():
    return render_template("fieldworker/notifications.html",
                           notifications=list(notify.for_staff(current_user.id)),
                           unread=notify.unread_count(current_user.id))
