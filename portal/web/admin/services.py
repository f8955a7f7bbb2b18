"""Admin > Services: the list with an add form, and one service's edit page."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...billing.money import amount_text
from ...bookings import catalog
from ...kernel.actors import actor_for
from ...kernel.errors import DomainError
from .forms import ServiceForm, field_error

bp = Blueprint("services", __name__, url_prefix="/services")


def _fields(form):
    return {name: form[name].data for name in
            ("name", "duration_minutes", "price", "active", "staff")}


def _list_page(form, status=200, error=None):
    return render_template("admin/services.html", services=catalog.listed(), form=form,
                           fieldworkers=catalog.fieldworkers(), error=error), status


def _edit_page(service, form, status=200, error=None):
    chosen = [int(s) for s in form.staff.data or [] if str(s).isdigit()]
    return render_template("admin/service.html", service=service, form=form, chosen=chosen,
                           fieldworkers=catalog.fieldworkers(chosen), error=error), status


@bp.get("")
def index():
    return _list_page(ServiceForm(formdata=None, active=True, duration_minutes="60"))


@bp.post("")
def add():
    form = ServiceForm()
    if not form.validate_on_submit():
        return _list_page(form, 422)
    try:
        service = catalog.create(_fields(form), actor_for(current_user))
    except DomainError as exc:
        return _list_page(form, exc.status, None if field_error(form, exc) else exc.message)
    flash(f"{service.name} added. It is offered in the booking pickers."
          if service.active else f"{service.name} added (inactive).", "success")
    return redirect(url_for(".index"))


@bp.route("/<int:service_id>", methods=["GET", "POST"])
def edit(service_id):
    service, staff_ids = catalog.get(service_id)
    if request.method == "GET":
        form = ServiceForm(formdata=None, name=service.name, active=service.active,
                           duration_minutes=str(service.duration_minutes),
                           price=amount_text(service.price), staff=[str(s) for s in staff_ids])
        return _edit_page(service, form)
    form = ServiceForm()
    if not form.validate_on_submit():
        return _edit_page(service, form, 422)
    try:
        changed = catalog.edit(service.id, _fields(form), actor_for(current_user))
    except DomainError as exc:
        return _edit_page(service, form, exc.status,
                          None if field_error(form, exc) else exc.message)
    flash(f"{form.name.data.strip()} saved." if changed else "Nothing to change.", "success")
    return redirect(url_for(".index"))
