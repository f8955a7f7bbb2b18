"""Admin > Integrations > API tokens: make a token with chosen scopes (shown once), see each
token's prefix, scopes and last use, revoke one. portal/integrations/tokens.py decides."""
from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectMultipleField

from ...integrations import tokens
from ...kernel.actors import actor_for
from ...kernel.errors import Conflict, InvalidInput
from ..app.confirm import confirm_step
from ..forms import ConfirmForm, Form, form_error

bp = Blueprint("api_tokens", __name__,
               url_prefix="/integrations/<int:integration_id>/tokens")


class TokenForm(Form):
    # The page draws the boxes from tokens.SCOPES; the service refuses an empty or unknown
    # choice, and its message is shown by the boxes.
    scopes = SelectMultipleField("Scopes", choices=[], validate_choice=False)


def _page(integration_id, form=None, status=200, error=None, made=None):
    response = make_response(render_template(
        "admin/api_tokens.html", integration=tokens.get_integration(integration_id),
        tokens=tokens.tokens_for(integration_id), scopes=tokens.SCOPES,
        form=form or TokenForm(formdata=None, scopes=[tokens.READ]), error=error, made=made),
        status)
    if made:  # the page holds a live secret: no cache keeps a copy
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("")
def index(integration_id):
    return _page(integration_id)


@bp.post("")
def create(integration_id):
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(integration_id, form, 422, "Your form expired. Reload the page and try again.")
    try:
        token, raw = tokens.create_token(integration_id, form.scopes.data,
                                         actor_for(current_user))
    except InvalidInput as exc:
        form.scopes.errors = [exc.message]
        return _page(integration_id, form, exc.status)
    return _page(integration_id, made=(token, raw))


def _confirm_revoke(integration_id, token_id):
    token = tokens.token_for(integration_id, token_id)
    return confirm_step(
        title=f"Revoke token {token.prefix}\u2026?",
        question="Calls to our API with this token are refused from the moment you revoke it; "
                 "a revoked token can't be turned back on (make a new one instead).",
        action=url_for(".revoke", integration_id=integration_id, token_id=token_id),
        label="Revoke token", back=url_for(".index", integration_id=integration_id))


@bp.route("/<int:token_id>/revoke", methods=["GET", "POST"])
def revoke(integration_id, token_id):
    """GET asks first (a modal with htmx, a page without); the POST acts only when confirmed."""
    if request.method == "GET":
        return _confirm_revoke(integration_id, token_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _page(integration_id, status=422, error=form_error(form))
    try:
        token = tokens.revoke_token(integration_id, token_id, actor_for(current_user))
    except Conflict as exc:
        return _page(integration_id, status=exc.status, error=exc.message)
    flash(f"Token {token.prefix}\u2026 is revoked: calls with it are refused from now on.",
          "success")
    return redirect(url_for(".index", integration_id=integration_id))
