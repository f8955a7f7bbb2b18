"""The fieldworker area: my jobs, a job's page (cancel it when permitted), notifications."""
from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from ...bookings import queries
from ...messaging import notify
from ...people import utcnow
from ..flows import cancel as cancel_flow
from ..flows import status as status_flow
from ..app.access import staff_required
from ..app.htmx import is_htmx, trigger

bp = Blueprint("fieldworker", __name__, url_prefix="/fieldworker")

AUDIENCE = cancel_flow.Audience(
    channel="fieldworker", card="_staff_booking.html", page="fieldworker/job.html",
    booking_endpoint="fieldworker.job", cancel_endpoint="fieldworker.cancel",
    done="Job cancelled. The customer is emailed.", status_endpoint="fieldworker.status")


def job_context(ref):
    """A job assigned to the current fieldworker (admins see any), or a 404."""
    mine_only = None if current_user.kind == "admin" else current_user.id
    booking, staff = queries.staff_booking(ref, staff_id=mine_only)
    if booking is None:
        abort(404)
    verdict = cancel_flow.cancel_verdict(booking, staff)
    return {"booking": booking, "staff": staff, "cancel": verdict, "audience": AUDIENCE,
            "status_choices": status_flow.choices(booking, staff)}


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


@bp.route("/jobs/<ref>/status", methods=["GET", "POST"])
@staff_required
def status(ref):
    return status_flow.run(AUDIENCE, ref, job_context)


@bp.app_context_processor
def _unread_notifications():
    """Pages draw the nav's unread count; counted at most once a request, only where drawn."""
    def unread_notifications():
        if not current_user.is_authenticated or current_user.kind == "customer":
            return 0
        if "rebook.unread" not in request.environ:
            request.environ["rebook.unread"] = notify.unread_count(current_user.id)
        return request.environ["rebook.unread"]
    return {"unread_notifications": unread_notifications}


@bp.get("/notifications")
@staff_required
def notifications():
    return render_template("fieldworker/notifications.html",
                           notifications=list(notify.for_staff(current_user.id)))


@bp.get("/notifications/badge")
@staff_required
def badge():
    """The nav badge alone, for htmx polling (and after notificationsRead)."""
    response = make_response(render_template("fieldworker/_badge.html",
                                             unread=notify.unread_count(current_user.id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/notifications/<int:notification_id>/read")
@staff_required
def read(notification_id):
    notice = notify.mark_read(current_user.id, notification_id)
    if not is_htmx():
        return redirect(url_for(".notifications") + f"#notification-{notice.id}")
    return _read(render_template("fieldworker/_notifications_read.html", n=notice))


@bp.post("/notifications/read-all")
@staff_required
def read_all():
    notify.mark_all_read(current_user.id)
    if not is_htmx():
        return redirect(url_for(".notifications"))
    return _read(render_template("fieldworker/_notifications_read.html",
                                 notifications=list(notify.for_staff(current_user.id))))


def _read(html):
    """The swapped fragment, and the event the nav badge listens for to refresh itself."""
    response = make_response(html)
    response.vary.add("HX-Request")
    return trigger(response, notificationsRead=True)
