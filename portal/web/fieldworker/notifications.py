"""Staff notifications (fieldworkers and admins): the list, the nav's unread badge, marking
them read."""
from flask import Blueprint, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from ...messaging import notify, push_keys, push_subscriptions
from ..app.htmx import is_htmx, trigger

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def unread_notifications():
    """Pages draw the nav's unread count; counted at most once a request, only where drawn.
    A GET or HEAD takes the count the statement that loaded the staff member made
    (accounts.sessions.resume: no statement of its own); a POST may have changed notices
    since, so it counts afresh."""
    user = current_user._get_current_object()  # (one proxy lookup, not four)
    if not user.is_authenticated or user.kind == "customer":
        return 0
    environ = request.environ
    if "rebook.unread" not in environ:
        loaded = getattr(user, "unread_when_loaded", None) \
            if request.method in ("GET", "HEAD") else None
        environ["rebook.unread"] = loaded if loaded is not None else notify.unread_count(user.id)
    return environ["rebook.unread"]


@bp.record_once
def _unread_notifications(state):
    """For every template: one function for the process, not a context processor making one
    per render (page_kit's context class keeps how each is called)."""
    state.app.jinja_env.globals["unread_notifications"] = unread_notifications


@bp.get("")
def index():
    return render_template("fieldworker/notifications.html",
                           notifications=list(notify.for_staff(current_user.id)),
                           push_devices=push_subscriptions.devices(current_user.id),
                           push_key=push_keys.public_key())


@bp.get("/badge")
def badge():
    """The nav badge alone, for htmx polling (and after notificationsRead)."""
    response = make_response(render_template("fieldworker/_badge.html",
                                             unread=unread_notifications()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:notification_id>/read")
def read(notification_id):
    notice = notify.mark_read(current_user.id, notification_id)
    if not is_htmx():
        return redirect(url_for(".index") + f"#notification-{notice.id}")
    return _read(render_template("fieldworker/_notifications_read.html", n=notice))


@bp.post("/read-all")
def read_all():
    notify.mark_all_read(current_user.id)
    if not is_htmx():
        return redirect(url_for(".index"))
    return _read(render_template("fieldworker/_notifications_read.html",
                                 notifications=list(notify.for_staff(current_user.id))))


def _read(html):
    """The swapped fragment, and the event the nav badge listens for to refresh itself."""
    response = make_response(html)
    response.vary.add("HX-Request")
    return trigger(response, notificationsRead=True)
