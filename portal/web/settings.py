"""Admin > Settings > Customer Portal > Flags & Permissions, and the cancellation reasons."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import current_settings, portal_settings
from ..actors import actor_for
from ..errors import DomainError
from ..settings import CancellationReason
from .access import admin_required
from .forms import PortalSettingsForm, ReasonForm

bp = Blueprint("settings", __name__, url_prefix="/admin/settings")


def _page(form, status=200, reason_error=None, reason_form=None):
    return render_template("admin/portal_settings.html", form=form,
                           reasons=list(CancellationReason.listed(active_only=False)),
                           reason_form=reason_form or ReasonForm(), reason_error=reason_error
                           ), status


@bp.route("/portal", methods=["GET", "POST"])
@admin_required
def portal():
    form = PortalSettingsForm(obj=current_settings())
    if not form.validate_on_submit():
        return _page(form, 422 if form.is_submitted() else 200)
    values = {name: form[name].data for name in portal_settings.PORTAL_FIELDS}
    values["blocked_message"] = (values["blocked_message"] or "").strip()
    try:
        changed = portal_settings.update_portal_settings(values, actor_for(current_user))
    except DomainError as exc:
        form.cancel_notice_hours.errors.append(exc.message)
        return _page(form, exc.status)
    flash("Settings saved." if changed else "Nothing to change.", "success")
    return redirect(url_for(".portal"))


@bp.post("/reasons")
@admin_required
def add_reason():
    form = ReasonForm()
    return _reason_action(form, lambda actor: portal_settings.add_reason(form.label.data, actor),
                          "Reason added.")


@bp.post("/reasons/<int:reason_id>")
@admin_required
def change_reason(reason_id):
    """One endpoint for the row's buttons: rename, move up/down, activate/deactivate."""
    form = ReasonForm()
    action = request.form.get("action", "rename")
    actions = {
        "rename": lambda a: portal_settings.rename_reason(reason_id, form.label.data, a),
        "up": lambda a: portal_settings.move_reason(reason_id, -1, a),
        "down": lambda a: portal_settings.move_reason(reason_id, +1, a),
        "deactivate": lambda a: portal_settings.set_reason_active(reason_id, False, a),
        "activate": lambda a: portal_settings.set_reason_active(reason_id, True, a),
    }
    if action not in actions:
        return _page(PortalSettingsForm(obj=current_settings()), 422,
                     "That action isn't one this page offers. Reload and try again.")
    if action != "rename":
        form.label.validators = []
    return _reason_action(form, actions[action], "Reasons updated.")


def _reason_action(form, run, done):
    settings_form = PortalSettingsForm(obj=current_settings(), formdata=None)
    if not form.validate_on_submit():
        errors = [e for errs in form.errors.values() for e in errs]
        return _page(settings_form, 422, errors[0] if errors else None, form)
    try:
        run(actor_for(current_user))
    except DomainError as exc:
        return _page(settings_form, exc.status, exc.message, form)
    flash(done, "success")
    return redirect(url_for(".portal") + "#reasons")
