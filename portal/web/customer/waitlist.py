"""The customer's waitlist (Account > Waitlist): join it when no free time suits, see the
entries still waiting, leave one. The rules are bookings/waitlist.py's."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField

from ...bookings import queries, waitlist
from ...bookings.waitlist_models import TIMES_LABELS
from ...kernel.clock import utcnow
from ...kernel.errors import DomainError, InvalidInput
from ...kernel.input_limits import is_id
from ...kernel.timefmt import to_local
from ..app.access import customer_required
from ..app.current import current_settings
from ..forms import Form

bp = Blueprint("waitlist", __name__, url_prefix="/account/waitlist")


class JoinForm(Form):
    service = StringField(_l("Service"))
    first = StringField(_l("From"))
    last = StringField(_l("Until"))
    times = StringField(_l("Times of day"))
    start = StringField(_l("From (time)"))
    end = StringField(_l("Until (time)"))


def _page(form, status=200, error=None):
    settings, now = current_settings(), utcnow()
    today = to_local(now, settings.timezone).date()
    if not form.is_submitted():  # prefilled from the booking page's choices
        form.service.data = form.service.data or request.args.get("service", "")
        form.first.data = form.first.data or request.args.get("date", "") or today.isoformat()
        form.last.data = form.last.data or form.first.data
        form.times.data = form.times.data or "any"
    return render_template("customer/waitlist.html", form=form, error=error,
                           entries=waitlist.customer_entries(current_user.id, now),
                           services=queries.bookable_services(), times_labels=TIMES_LABELS,
                           today=today), status


@bp.get("")
@customer_required
def index():
    return _page(JoinForm(formdata=None))


@bp.post("")
@customer_required
def join():
    form = JoinForm()
    if not form.validate_on_submit():
        return _page(form, 422, "Your form had expired. Please send it again.")
    try:
        if not is_id(form.service.data):
            raise InvalidInput(_("Choose one of the services listed."), "service")
        waitlist.join(current_user.id, int(form.service.data), form.first.data,
                      form.last.data, form.times.data, start_text=form.start.data,
                      end_text=form.end.data, settings=current_settings())
    except DomainError as exc:
        return _page(form, exc.status, exc.message)
    flash(_("You're on the waitlist. We'll email you as soon as a matching time frees up."),
          "success")
    return redirect(url_for("customer.waitlist.index"))


@bp.post("/<int:entry_id>/leave")
@customer_required
def leave(entry_id):
    form = Form()
    try:
        if not form.validate_on_submit():
            raise InvalidInput(_("Your form had expired. Please press Leave again."))
        waitlist.leave(entry_id, current_user.id)
    except DomainError as exc:
        return _page(JoinForm(formdata=None), exc.status, exc.message)
    flash(_("You've left that waitlist entry."), "success")
    return redirect(url_for("customer.waitlist.index"))
