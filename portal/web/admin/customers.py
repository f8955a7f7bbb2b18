"""Admin > Customers: the searchable list, adding and editing a customer, and their page."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...kernel.actors import actor_for
from ...kernel.clock import utcnow
from ...kernel.errors import DomainError
from ...people import customer_queries, customers
from ..app.htmx import fragment_or_page
from .forms import ActionForm, CustomerForm, check, field_error

bp = Blueprint("customers", __name__, url_prefix="/customers")


def _fields(form):
    return {name: form[name].data for name in customers.FIELDS}


def _form_page(form, customer=None, status=200, error=None):
    return render_template("admin/customer_form.html", form=form, customer=customer,
                           error=error), status


def _save(form, customer, run):
    """Validate, run the service, and either go to the customer's page or show the form."""
    if not form.validate_on_submit():
        return _form_page(form, customer, 422 if form.is_submitted() else 200)
    try:
        saved, done = run(_fields(form), actor_for(current_user))
    except DomainError as exc:
        return _form_page(form, customer, exc.status,
                          None if field_error(form, exc) else exc.message)
    flash(done, "success")
    return redirect(url_for(".show", customer_id=saved))


@bp.get("")
def index():
    filters = customer_queries.CustomerFilter.from_args(request.args)
    results = customer_queries.find_customers(filters, utcnow())
    response = fragment_or_page("admin/_customers_table.html", "admin/customers.html",
                                filters=filters, results=results)
    response.headers["HX-Push-Url"] = url_for(".index", **filters.to_args(page=results.page))
    return response


@bp.route("/new", methods=["GET", "POST"])
def new():
    def create(fields, actor):
        customer = customers.create_customer(fields, actor)
        return customer.id, (f"{customer.name} added. We've emailed {customer.email} an "
                             "invitation to set a password.")
    return _save(CustomerForm(may_book_online=True), None, create)


@bp.get("/<int:customer_id>")
def show(customer_id):
    return render_template("admin/customer.html", now=utcnow(), invite_form=ActionForm(),
                           **customer_queries.customer_profile(customer_id))


@bp.route("/<int:customer_id>/edit", methods=["GET", "POST"])
def edit(customer_id):
    customer = customer_queries.get_customer(customer_id)

    def update(fields, actor):
        changed = customers.update_customer(customer.id, fields, actor)
        return customer.id, "Customer details saved." if changed else "Nothing to change."
    return _save(CustomerForm(obj=customer), customer, update)


@bp.post("/<int:customer_id>/invite")
def invite(customer_id):
    check(ActionForm())
    customer = customers.resend_invitation(customer_id, actor_for(current_user))
    flash(f"Invitation sent again to {customer.email}.", "success")
    return redirect(url_for(".show", customer_id=customer.id))
