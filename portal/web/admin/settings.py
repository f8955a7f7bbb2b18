"""Admin > Settings: Customer Portal (flags, permissions, cancellation reasons) and
Financial Settings > Tax & Fees."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...billing import money
from ...billing.fees import listed_tiers
from ...kernel.actors import actor_for
from ...kernel.errors import DomainError, InvalidInput
from ...settings import portal as portal_settings
from ...settings import CancellationReason
from ..app.current import current_settings
from ..forms import FeeSettingsForm, FeeTierForm, PortalSettingsForm, ReasonForm

bp = Blueprint("settings", __name__, url_prefix="/settings")


def _page(form, status=200, reason_error=None, reason_form=None):
    return render_template("admin/portal_settings.html", form=form,
                           reasons=list(CancellationReason.listed(active_only=False)),
                           reason_form=reason_form or ReasonForm(), reason_error=reason_error
                           ), status


@bp.route("/portal", methods=["GET", "POST"])
def portal():
    form = PortalSettingsForm(obj=current_settings())
    if not form.validate_on_submit():
        return _page(form, 422 if form.is_submitted() else 200)
    values = {name: form[name].data for name in portal_settings.PORTAL_FIELDS}
    for name in ("blocked_message", "reschedule_blocked_message"):
        values[name] = (values[name] or "").strip()
    try:
        changed = portal_settings.update_portal_settings(values, actor_for(current_user))
    except DomainError as exc:
        form.cancel_notice_hours.errors.append(exc.message)
        return _page(form, exc.status)
    flash("Settings saved." if changed else "Nothing to change.", "success")
    return redirect(url_for(".portal"))


@bp.post("/reasons")
def add_reason():
    form = ReasonForm()
    return _reason_action(form, lambda actor: portal_settings.add_reason(form.label.data, actor),
                          "Reason added.")


@bp.post("/reasons/<int:reason_id>")
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


def _fees_form():
    settings = current_settings()
    return FeeSettingsForm(cancellation_fee=money.amount_text(settings.cancellation_fee),
                           no_show_fee=money.amount_text(settings.no_show_fee),
                           tax_rate=money.rate_text(settings.tax_rate_bp))


def _read_fees(form):
    """The form's text as stored values; a field's problem is reported on that field."""
    values, readers = {}, {
        "cancellation_fee": lambda t: money.parse_amount(t, "The cancellation fee"),
        "no_show_fee": lambda t: money.parse_amount(t, "The no-show fee"),
        "tax_rate": money.parse_rate}
    for name, read in readers.items():
        try:
            values["tax_rate_bp" if name == "tax_rate" else name] = read(form[name].data)
        except DomainError as exc:
            form[name].errors = [*form[name].errors, exc.message]
    return values


@bp.route("/fees", methods=["GET", "POST"])
def fees():
    form = _fees_form() if request.method == "GET" else FeeSettingsForm()
    if not form.validate_on_submit():
        return _fees_page(form, 422 if form.is_submitted() else 200)
    values = _read_fees(form)
    if form.errors:
        return _fees_page(form, 422)
    changed = portal_settings.update_fee_settings(values, actor_for(current_user))
    flash("Tax & fees saved." if changed else "Nothing to change.", "success")
    return redirect(url_for(".fees"))


def _fees_page(form, status=200, tier_form=None, tier_error=None):
    return render_template("admin/fee_settings.html", form=form,
                           tiers=listed_tiers(),
                           tier_form=tier_form or FeeTierForm(formdata=None),
                           tier_error=tier_error), status


@bp.post("/fees/tiers")
def add_tier():
    form = FeeTierForm()
    try:
        if not form.validate_on_submit():
            raise InvalidInput(next(e for errs in form.errors.values() for e in errs))
        read = money.parse_rate if form.kind.data == "percent" else money.parse_amount
        portal_settings.add_fee_tier(form.under_hours.data, form.kind.data,
                                     read(form.amount.data), actor_for(current_user))
    except DomainError as exc:
        return _fees_page(_fees_form(), exc.status, form, exc.message)
    flash("Late-cancellation tier added.", "success")
    return redirect(url_for(".fees") + "#tiers")


@bp.post("/fees/tiers/<int:tier_id>/delete")
def remove_tier(tier_id):
    try:
        portal_settings.remove_fee_tier(tier_id, actor_for(current_user))
    except DomainError as exc:
        return _fees_page(_fees_form(), exc.status, tier_error=exc.message)
    flash("Late-cancellation tier removed.", "success")
    return redirect(url_for(".fees") + "#tiers")
