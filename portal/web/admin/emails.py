"""The email log: every message in the outbox, rendered, and sending a dead one again."""
from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from markupsafe import escape

from ...messaging import outbox
from ...messaging.queries import email_log, email_message
from ..app.security_headers import email_preview

bp = Blueprint("emails", __name__, url_prefix="/emails")


@bp.get("")
def index():
    return render_template("admin/emails.html", messages=list(email_log()))


@bp.get("/<int:message_id>")
def show(message_id):
    message = email_message(message_id)
    if message is None:
        abort(404)
    return render_template("admin/email.html", message=message,
                           render_error=_render_error(message))


def _render_error(message):
    """Why a message queued as a template cannot be rendered (None when it can): the page shows
    that instead of failing, as the worker records it instead of losing the message."""
    try:
        message.body_text
    except Exception as exc:  # whatever the template raised: the admin needs to read it
        return f"{type(exc).__name__}: {exc}"
    return None


@bp.get("/<int:message_id>/html")
def html(message_id):
    """The email's HTML as sent, for the frame on its page: a document of its own, so its
    inline styles apply under a policy of its own (security_headers.EMAIL_PREVIEW_CSP)."""
    message = email_message(message_id)
    if message is None:
        abort(404)
    error = _render_error(message)
    if error:
        return email_preview(make_response(f"<p>This email could not be rendered: "
                                           f"{escape(error)}</p>"))
    return email_preview(make_response(message.body_html))


@bp.post("/<int:message_id>/resend")
def resend(message_id):
    if not outbox.requeue(message_id):
        abort(404)
    flash("The email is queued to be sent again.", "success")
    return redirect(url_for(".show", message_id=message_id))
