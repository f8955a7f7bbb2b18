"""A fieldworker's jobs: the list, a job's page, cancelling it or changing its status when
permitted."""
from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from ...bookings import queries
from ...bookings.page import booking_page
from ...kernel.actors import actor_for
from ...kernel.clock import utcnow
from ...kernel.listing import parse_page
from ..app.contact_links import maps_href, tel_href
from ..app.current import current_settings, read_along, read_with_person
from ..flows import cancel as cancel_flow
from ..flows import status as status_flow
from ..flows.audience import Audience

bp = Blueprint("jobs", __name__)
# App-wide: the staff booking card (admins' and fieldworkers') links phone and address too.
bp.add_app_template_filter(tel_href)
bp.add_app_template_filter(maps_href)

AUDIENCE = Audience(
    channel="fieldworker", card="booking/_staff_booking.html", page="fieldworker/job.html",
    booking_endpoint="fieldworker.jobs.show", cancel_endpoint="fieldworker.jobs.cancel",
    done="Job cancelled. The customer is emailed.", status_endpoint="fieldworker.jobs.status")


def job_context(ref, rows=None):
    """A job assigned to the current fieldworker (admins see any), or a 404. `rows`:
    (booking, staff) already read this request (the cancel step's: the service let this
    person cancel it, so it is theirs)."""
    mine_only = None if current_user.kind == "admin" else current_user.id
    booking, staff = rows or queries.staff_booking(
        ref, staff_id=mine_only, rows=read_along(queries.read_for_staff(ref)))
    if booking is None:
        abort(404)
    page = booking_page(booking, staff, actor_for(current_user), current_settings(), utcnow())
    return {"booking": booking, "staff": staff, "booking_page": page, "cancel": page.cancel,
            "audience": AUDIENCE, "status_choices": page.status_choices}


# A job's page and its cancel and status steps read the booking in the statement that loads
# the staff member (their GET; web/app/current.py); staff_booking then keeps a fieldworker to
# jobs assigned to them, as when it reads alone.
for _step in ("show", "cancel", "status"):
    read_with_person(f"fieldworker.jobs.{_step}", queries.read_for_staff)


@bp.get("/jobs")
def index():
    page = parse_page(request.args.get("page"), [])  # a bad page number shows the first
    now = utcnow()
    jobs, more = queries.window(queries.staff_jobs(current_user.id, now), page)
    closing = queries.staff_needs_closing(current_user.id, now) if page == 1 else []
    return render_template("fieldworker/jobs.html", jobs=jobs, page=page, more=more,
                           closing=closing)


@bp.get("/jobs/<ref>")
def show(ref):
    return render_template(AUDIENCE.page, **job_context(ref))


@bp.route("/jobs/<ref>/cancel", methods=["GET", "POST"])
def cancel(ref):
    return cancel_flow.run(AUDIENCE, ref, job_context)


@bp.route("/jobs/<ref>/status", methods=["GET", "POST"])
def status(ref):
    return status_flow.run(AUDIENCE, ref, job_context)
