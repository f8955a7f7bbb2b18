"""Admin > Settings > Business: name, contact details, timezone and currency."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...kernel.actors import actor_for
from ...kernel.errors import DomainError
from ...settings import business as business_profile
from ..app.current import current_settings
from .forms import BusinessProfileForm, field_error

bp = Blueprint("business_settings", __name__, url_prefix="/settings")


def _page(form, status=200, error=None):
    return render_template("admin/business_settings.html", form=form, error=error,
                           timezones=business_profile.timezones(),
                           currencies=business_profile.CURRENCIES), status


@bp.route("/business", methods=["GET", "POST"])
def edit():
    if request.method == "GET":
        return _page(BusinessProfileForm(formdata=None, obj=current_settings()))
    form = BusinessProfileForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        changed = business_profile.update_business_profile(
            {name: form[name].data for name in business_profile.FIELDS}, actor_for(current_user))
    except DomainError as exc:
        return _page(form, exc.status, None if field_error(form, exc) else exc.message)
    flash("Business details saved." if changed else "Nothing to change.", "success")
    return redirect(url_for(".edit"))
