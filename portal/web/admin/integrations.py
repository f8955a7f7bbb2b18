"""Admin > Integrations: outside systems, their webhook settings and secret, the delivery log.

Every form is a plain POST that redirects back with a flash; a refused one shows the page
again with the message (422 invalid, 404 gone) and nothing changed.
"""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...integrations import delivery as webhooks
from ...integrations import manage, queries
from ...integrations.events import EVENTS
from ...integrations.models import KINDS
from ...kernel.actors import actor_for
from ...kernel.errors import DomainError
from ..app.confirm import confirm_step
from ..forms import ConfirmForm, form_error
from .integration_forms import ActionForm, IntegrationForm

bp = Blueprint("integrations", __name__, url_prefix="/integrations")
TOKENS_ENDPOINT = "admin.api_tokens.index"  # the API tokens page, when that feature is installed


def _list(form=None, status=200, error=None):
    return render_template("admin/integrations.html", integrations=queries.listed(),
                           form=form or IntegrationForm.blank(), kinds=KINDS, events=EVENTS,
                           error=error), status


def _detail(integration_id, form=None, status=200, error=None):
    integration = queries.integration(integration_id)
    return render_template(
        "admin/integration.html", integration=integration, kinds=KINDS, events=EVENTS,
        form=form or IntegrationForm.of(integration), error=error,
        log=queries.delivery_log(integration.id), tokens_url=_tokens_url(integration.id)), status


def _tokens_url(integration_id):
    if TOKENS_ENDPOINT not in current_app.view_functions:
        return None
    return url_for(TOKENS_ENDPOINT, integration_id=integration_id)


def _place(form, exc):
    """Put the service's refusal beside the field it names; what is left goes above the form."""
    field = "cancellations" if exc.code == "applies_cancellations" else exc.code
    if field in form:
        form[field].errors = [*form[field].errors, exc.message]
        return None
    return exc.message


@bp.get("")
def index():
    return _list()


@bp.post("")
def add():
    form = IntegrationForm()
    if not form.validate_on_submit():
        return _list(form, 422)
    try:
        integration = manage.add_integration(actor_for(current_user), **form.values())
    except DomainError as exc:
        return _list(form, exc.status, _place(form, exc))
    flash(f"{integration.name} added. Give its signing secret (below) to whoever runs the "
          "receiving end, so it can check that requests come from us.", "success")
    return redirect(url_for(".show", integration_id=integration.id))


@bp.get("/<int:integration_id>")
def show(integration_id):
    return _detail(integration_id)


@bp.post("/<int:integration_id>")
def edit(integration_id):
    form = IntegrationForm()
    if not form.validate_on_submit():
        return _detail(integration_id, form, 422)
    try:
        manage.update_integration(integration_id, actor_for(current_user), **form.values())
    except DomainError as exc:
        return _detail(integration_id, form, exc.status, _place(form, exc))
    flash("Integration saved.", "success")
    return redirect(url_for(".show", integration_id=integration_id))


def _confirm_rotate(integration_id):
    name = queries.integration(integration_id).name
    return confirm_step(
        title=f"Rotate {name}'s signing secret?",
        question=f"A new secret is made at once. Until {name} has it, the requests we send fail "
                 "its check; the old secret can't be brought back.",
        action=url_for(".rotate", integration_id=integration_id), label="Rotate secret",
        back=url_for(".show", integration_id=integration_id, _anchor="secret"))


@bp.route("/<int:integration_id>/rotate", methods=["GET", "POST"])
def rotate(integration_id):
    """GET asks first (a modal with htmx, a page without); the POST acts only when confirmed."""
    if request.method == "GET":
        return _confirm_rotate(integration_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _detail(integration_id, status=422, error=form_error(form))
    manage.rotate_secret(integration_id, actor_for(current_user))
    flash("New signing secret made: requests are signed with it from now on. Copy it to the "
          "receiving system now; the old one no longer matches.", "success")
    return redirect(url_for(".show", integration_id=integration_id, _anchor="secret"))


@bp.get("/<int:integration_id>/deliveries/<int:delivery_id>")
def delivery(integration_id, delivery_id):
    found, attempts = queries.delivery(integration_id, delivery_id)
    return render_template("admin/integration_delivery.html", delivery=found, events=EVENTS,
                           attempts=attempts, integration=queries.integration(integration_id))


@bp.post("/<int:integration_id>/deliveries/<int:delivery_id>/resend")
def resend(integration_id, delivery_id):
    if not ActionForm().validate_on_submit():
        return _detail(integration_id, status=422, error="Please use the button on the page.")
    try:
        sent = webhooks.resend(integration_id, delivery_id, actor_for(current_user))
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _detail(integration_id, status=exc.status, error=exc.message)
    flash(f"Event {sent.event_id} is queued to be sent again, with the same event id so the "
          "receiver can tell it is a repeat.", "success")
    return redirect(url_for(".show", integration_id=integration_id, _anchor="deliveries"))
