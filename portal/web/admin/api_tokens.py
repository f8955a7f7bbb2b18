"""Admin > Integrations > API tokens: make a token with chosen scopes (shown once), see each
token's prefix, scopes and last use, revoke one. portal/integrations/tokens.py decides."""
from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField

from ...integrations import tokens
from ...kernel.actors import actor_for
from ...kernel.errors import Conflict, InvalidInput

bp = Blueprint("api_tokens", __name__,
               url_prefix="/integrations/<int:integration_id>/tokens")


class TokenForm(FlaskForm):
    # The page draws the boxes from tokens.SCOPES; the service refuses an empty or unknown
    # choice, and its message is shown by the boxes.
    scopes = SelectMultipleField("Scopes", choices=[], validate_choice=False)


class RevokeForm(FlaskForm):
    """A row's Revoke button: nothing but the token."""


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


@bp.post("/<int:token_id>/revoke")
def revoke(integration_id, token_id):
    if not RevokeForm().validate_on_submit():
        return _page(integration_id, status=422, error="Please use the button on the page.")
    try:
        token = tokens.revoke_token(integration_id, token_id, actor_for(current_user))
    except Conflict as exc:
        return _page(integration_id, status=exc.status, error=exc.message)
    flash(f"Token {token.prefix}\u2026 is revoked: calls with it are refused from now on.",
          "success")
    return redirect(url_for(".index", integration_id=integration_id))
