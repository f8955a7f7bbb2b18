"""The admin back office: bookings and the email log (the full back office comes later)."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for

from ..bookings import queries
from ..messaging import outbox
from ..messaging.queries import email_log, email_message
from .access import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/bookings")
@admin_required
def bookings():
    return render_template("admin/bookings.html", bookings=list(queries.all_bookings()))


@bp.get("/emails")
@admin_required
def emails():
    return render_template("admin/emails.html", messages=list(email_log()))


@bp.get("/emails/<int:message_id>")
@admin_required
def email(message_id):
    message = email_message(message_id)
    if message is None:
        abort(404)
    return render_template("admin/email.html", message=message)


@bp.post("/emails/<int:message_id>/resend")
@admin_required
def resend(message_id):
    if not outbox.requeue(message_id):
        abort(404)
    flash("The email is queued to be sent again.", "success")
    return redirect(url_for(".email", message_id=message_id))
