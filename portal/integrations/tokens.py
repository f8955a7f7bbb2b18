"""API tokens: made for an integration with chosen scopes, shown once, stored only as SHA-256,
revoked by an admin, and looked up on every /api/v1/ call."""
import hashlib
import secrets
from datetime import timedelta

from .. import audit
from ..kernel.clock import utcnow
from ..kernel.db import locked, write_transaction
from ..kernel.errors import Conflict, InvalidInput, NotFound
from .models import ApiToken, Integration

READ, WRITE = "bookings:read", "bookings:write"
ORDERS_WRITE = "orders:write"
SCOPES = {READ: "Read bookings and free times",
          WRITE: "Cancel, reschedule and link bookings",
          ORDERS_WRITE: "Place orders for customers (the business's shop)"}
PREFIX = "rbk_"
SHOWN = 12  # characters of the token kept in clear so admins can tell tokens apart
MAX_LENGTH = 200  # longer than any token we make: refused without hashing
# Last-used is a hint for admins, not an audit trail: write it at most once a minute per token
# so a busy integration's reads do not each become a write.
TOUCH_EVERY = timedelta(minutes=1)


def hash_token(raw):
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def get_integration(integration_id):
    integration = Integration.get_or_none(Integration.id == integration_id)
    if integration is None:
        raise NotFound("We couldn't find that integration. It may have been removed.")
    return integration


def tokens_for(integration_id):
    """The integration's tokens: live ones first, newest first."""
    return list(ApiToken.select().where(ApiToken.integration == integration_id)
                .order_by(ApiToken.revoked_at.is_null(False), ApiToken.created_at.desc(),
                          ApiToken.id.desc()))


def token_for(integration_id, token_id):
    """One of the integration's tokens (the revoke question names it), else NotFound."""
    token = ApiToken.get_or_none((ApiToken.id == token_id)
                                 & (ApiToken.integration == integration_id))
    if token is None:
        raise NotFound("We couldn't find that token. Reload the page.")
    return token


def clean_scopes(scopes):
    chosen = sorted(set(scopes or ()))
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown or not chosen:
        raise InvalidInput("Choose at least one scope from the list.", "scopes")
    return chosen


def create_token(integration_id, scopes, actor, now=None):
    """Make a token; returns (ApiToken, the token itself). The token is never stored or shown
    again: only its SHA-256 and its first characters are kept."""
    chosen = clean_scopes(scopes)
    now = now or utcnow()
    raw = PREFIX + secrets.token_urlsafe(32)
    with write_transaction():
        integration = get_integration(integration_id)
        token = ApiToken.create(integration=integration, token_hash=hash_token(raw),
                                prefix=raw[:SHOWN], scopes=" ".join(chosen), created_at=now)
        audit.record("integration", integration.id, "api_token_created", actor, "admin", at=now,
                     after={"token": token.prefix, "scopes": chosen})
    return token, raw


def revoke_token(integration_id, token_id, actor, now=None):
    """Stop a token working at once; returns it. Revoking twice is refused (409)."""
    now = now or utcnow()
    with write_transaction():
        token = locked(ApiToken.select().where((ApiToken.id == token_id)
                                               & (ApiToken.integration == integration_id))
                       ).get_or_none()
        if token is None:
            raise NotFound("We couldn't find that token. Reload the page.")
        if token.revoked_at is not None:
            raise Conflict("That token was already revoked.", "already_revoked")
        ApiToken.update(revoked_at=now).where(ApiToken.id == token.id).execute()
        audit.record("integration", integration_id, "api_token_revoked", actor, "admin", at=now,
                     before={"token": token.prefix, "scopes": token.scope_list})
        token.revoked_at = now
    return token


def authenticate(raw, now=None):
    """The live ApiToken (with its Integration) for a bearer token, or None: unknown, revoked,
    or its integration switched off. One query, plus a write at most once a minute."""
    if not raw or len(raw) > MAX_LENGTH or not raw.isascii():
        return None
    token = (ApiToken.select(ApiToken, Integration).join(Integration)
             .where(ApiToken.token_hash == hash_token(raw)).get_or_none())
    if token is None or token.revoked_at is not None or not token.integration.active:
        return None
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.update(last_used_at=now).where(ApiToken.id == token.id).execute()
        token.last_used_at = now
    return token
