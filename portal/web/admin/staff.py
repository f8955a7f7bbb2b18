"""Admin > Staff: the list, adding a fieldworker, and each row's buttons.

The row buttons are plain POST forms (redirect back with a flash); htmx swaps just the row.
"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...kernel.actors import actor_for
from ...kernel.errors import Conflict, DomainError, InvalidInput
from ...people import staff
from ..app.confirm import confirm_step
from ..app.htmx import is_htmx
from ..forms import ConfirmForm
from .staff_forms import AddFieldworkerForm, PermissionForm, RowActionForm

bp = Blueprint("staff", __name__, url_prefix="/staff")


def _page(form=None, status=200, error=None):
    return render_template("admin/staff.html", people=list(staff.listed()),
                           form=form or AddFieldworkerForm(formdata=None), error=error), status


@bp.get("")
def index():
    return _page()


@bp.post("")
def add():
    form = AddFieldworkerForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        person = staff.add_fieldworker(form.name.data, form.email.data, form.password.data,
                                       form.can_edit_booking_status.data, actor_for(current_user))
    except DomainError as exc:
        if exc.code in form:  # the service names the field it refused
            form[exc.code].errors.append(exc.message)
            return _page(form, exc.status)
        return _page(form, exc.status, exc.message)
    flash(f"{person.name} can now log in as {person.email} with the password you chose.",
          "success")
    return redirect(url_for(".index"))


@bp.post("/<int:staff_id>/activate")
def activate(staff_id):
    return _row_action(RowActionForm(), staff_id,
                       lambda actor: staff.set_active(staff_id, True, actor),
                       "{} can log in again.")


def _confirm_deactivate(staff_id):
    person = staff.get(staff_id)
    return confirm_step(
        title=f"Deactivate {person.name}?",
        question=f"{person.name} ({person.email}) can no longer log in, from their next page on. "
                 "Their jobs, notifications and history are kept, and you can activate them "
                 "again later.",
        action=url_for(".deactivate", staff_id=staff_id), label=f"Deactivate {person.name}",
        back=url_for(".index"))


@bp.route("/<int:staff_id>/deactivate", methods=["GET", "POST"])
def deactivate(staff_id):
    """GET asks first (a modal with htmx, a page without); the POST acts only when confirmed."""
    if request.method == "GET":
        return _confirm_deactivate(staff_id)
    staff.get(staff_id)  # an unknown person is 404 before the unconfirmed form's 422
    return _row_action(ConfirmForm(), staff_id,
                       lambda actor: staff.set_active(staff_id, False, actor),
                       "{} is deactivated and can no longer log in.")


@bp.post("/<int:staff_id>/permission")
def permission(staff_id):
    form = PermissionForm()
    allowed = form.allowed.data == "on"
    done = "{} may now edit booking status." if allowed else "{} may no longer edit booking status."
    return _row_action(form, staff_id,
                       lambda actor: staff.set_can_edit_booking_status(staff_id, allowed, actor),
                       done)


def _row_action(form, staff_id, run, done):
    """Run one row button; NotFound goes on to the app's 404 page."""
    try:
        if not form.validate_on_submit():
            raise InvalidInput(next(e for errs in form.errors.values() for e in errs))
        person = run(actor_for(current_user))
    except (InvalidInput, Conflict) as exc:
        if is_htmx():
            return _row(staff.get(staff_id), exc.status, exc.message)
        return _page(status=exc.status, error=exc.message)
    if is_htmx():
        return _row(person)
    flash(done.format(person.name), "success")
    return redirect(url_for(".index"))


def _row(person, status=200, error=None):
    return render_template("admin/_staff_row.html", person=person, row_error=error), status
