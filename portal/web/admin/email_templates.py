"""Admin > Settings > Emails: the emails customers get, per language, as the business writes
them; a preview with a real booking, a test send to the admin, reset to the default.

Works without JavaScript: Preview posts the draft into the preview frame (formtarget), Save
and Send test post the page itself."""
from flask import (Blueprint, abort, flash, make_response, redirect, render_template, request,
                   url_for)
from flask_login import current_user

from ...kernel.actors import actor_for
from ...kernel.clock import utcnow
from ...kernel.errors import DomainError
from ...kernel.languages import SUPPORTED
from ...messaging import business_templates, template_preview
from ...messaging.email_kinds import KINDS
from ..app.current import current_settings
from ..app.security_headers import email_preview

bp = Blueprint("email_templates", __name__, url_prefix="/settings/emails")


@bp.get("")
def index():
    return render_template("admin/email_templates.html", languages=SUPPORTED,
                           emails=template_preview.overview(current_settings()))


def _draft():
    form = request.form
    return (form.get("subject", ""), form.get("body_text", ""), form.get("body_formatted", ""))


def _page(kind, language, draft, saved, status=200, error=None):
    return render_template(
        "admin/email_template.html", kind=kind, language=language, spec=KINDS[kind],
        language_name=SUPPORTED[language], draft=draft, saved=saved, error=error,
        bookings=template_preview.bookings(), chosen=request.values.get("booking", "")
    ), status


@bp.get("/<kind>/<language>")
def edit(kind, language):
    subject, text, formatted, saved = _current(kind, language)
    return _page(kind, language, (subject, text, formatted), saved)


def _current(kind, language):
    try:
        return template_preview.current(kind, language)
    except DomainError as exc:
        return _refused(exc)


def _refused(exc):
    abort(exc.status, exc.message)


@bp.post("/<kind>/<language>")
def save(kind, language):
    saved = _current(kind, language)[3]
    draft = _draft()
    action = request.form.get("action", "save")
    try:
        if action == "test":
            template_preview.send_test(kind, language, *draft, request.form.get("booking"),
                                       current_settings(), utcnow(), current_user.email)
            flash(f"A test email is on its way to {current_user.email}.", "success")
            return _page(kind, language, draft, saved)
        business_templates.save_template(kind, language, *draft, actor_for(current_user))
    except DomainError as exc:
        return _page(kind, language, draft, saved, exc.status, exc.message)
    flash("Email saved: new emails use it.", "success")
    return redirect(url_for(".edit", kind=kind, language=language))


@bp.route("/<kind>/<language>/preview", methods=["GET", "POST"])
def preview(kind, language):
    """The preview frame's document: the draft posted (or, on GET, what is saved) filled in
    with a real booking, under the sandboxed policy every email preview has."""
    draft = _draft() if request.method == "POST" else _current(kind, language)[:3]
    try:
        email = template_preview.preview(kind, language, *draft, request.values.get("booking"),
                                         current_settings(), utcnow(), framed=True)
    except DomainError as exc:
        page = render_template("admin/_email_template_refused.html", message=exc.message)
        return email_preview(make_response(page, exc.status))
    return email_preview(make_response(email["html"]))


@bp.post("/<kind>/<language>/reset")
def reset(kind, language):
    try:
        done = business_templates.reset_template(kind, language, actor_for(current_user))
    except DomainError as exc:
        return _refused(exc)
    flash("Back to the default email." if done else "This email already is the default.",
          "success")
    return redirect(url_for(".edit", kind=kind, language=language))
