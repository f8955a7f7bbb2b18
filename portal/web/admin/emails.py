"""The email log: every message in the outbox, rendered, and sending a dead one again."""
from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for

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
    return render_template("admin/email.html", message=message)


@bp.get("/<int:message_id>/html")
def html(message_id):
    """The email's HTML as sent, for the frame on its page: a document of its own, so its
    inline styles apply under a policy of its own (security_headers.EMAIL_PREVIEW_CSP)."""
    message = email_message(message_id)
    if message is None:
        abort(404)
    return email_preview(make_response(message.body_html))


@bp.post("/<int:message_id>/resend")
def resend(message_id):
    if not outbox.requeue(message_id):
        abort(404)
    flash("The email is queued to be sent again.", "success")
    return redirect(url_for(".show", message_id=message_id))
