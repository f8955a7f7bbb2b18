"""Who is calling: a bearer token per integration, with scopes. Never a session login."""
from functools import wraps

from flask import current_app, g, request
from peewee import InterfaceError, OperationalError

from ...integrations import tokens
from ...kernel.actors import integration_actor
from ...kernel.ratelimit import hit, wait_text
from ..app.errors import database_unreachable
from . import bp
from .problems import HTTP_PROBLEMS, Problem, problem_response

REALM = 'Bearer realm="rebook-api"'


def _bearer():
    """The token in `Authorization: Bearer <token>`, or None."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


def require(scope):
    """Let the view run only for a live token with `scope`: 401 without one, 403 without the
    scope (RFC 6750's WWW-Authenticate says which)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            raw = _bearer()
            if raw is None:
                raise Problem(401, "unauthenticated", "Send your API token in the header "
                              "Authorization: Bearer rbk_\u2026 (an admin makes one under "
                              "Integrations).", headers={"WWW-Authenticate": REALM})
            token = tokens.authenticate(raw)
            if token is None:
                raise Problem(401, "invalid_token", "This API token does not work: it is "
                              "unknown, was revoked, or its integration is switched off. Ask "
                              "an admin for a new one.",
                              headers={"WWW-Authenticate": REALM + ', error="invalid_token"'})
            if scope not in token.scope_list:
                raise Problem(403, "insufficient_scope", f"This token can't do that: it needs "
                              f"the {scope} scope. Ask an admin for a token that has it.",
                              headers={"WWW-Authenticate": REALM + ', error="insufficient_scope"'
                                                                   f', scope="{scope}"'})
            g.api_token = token
            return view(*args, **kwargs)
        return wrapped
    return decorator


def integration():
    """The Integration the current token belongs to."""
    return g.api_token.integration


def caller():
    """The Actor the services record: the integration, by name, on the `integration` channel."""
    return integration_actor(g.api_token.integration)


def rate_key():
    """Limit per token (a hash of it, never the token), else per address."""
    raw = _bearer()
    return "token:" + tokens.hash_token(raw)[:16] if raw else "address:" + (
        request.remote_addr or "-")


@bp.before_request
def _limit():
    """API_RATE_LIMIT per token over every API call, counted by all servers together."""
    verdict = hit("api", rate_key(), current_app.config.get("API_RATE_LIMIT", "300 per minute"))
    if not verdict.allowed:
        raise Problem(429, "rate_limited", "Too many requests with this token. Wait "
                      f"{wait_text(verdict.retry_after)}, then try again.",
                      headers={"Retry-After": str(verdict.retry_after)})


@bp.errorhandler(OperationalError)
@bp.errorhandler(InterfaceError)
def _database(exc):
    """The database (and with it the limit store) is out of reach: 503, never a 500 and never
    a call let through uncounted."""
    if not database_unreachable(exc):
        current_app.logger.exception("unhandled API error")
        return problem_response(500, *HTTP_PROBLEMS[500])
    return problem_response(503, "unavailable", "We can't reach our records right now; "
                            "nothing was changed. Try again in a minute.",
                            headers={"Retry-After": "60"})
