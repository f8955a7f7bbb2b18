"""The JSON API outside systems call under /api/v1/: bearer tokens with scopes, problem+json
errors, idempotency keys, and an OpenAPI document kept next to the routes it describes."""
from flask import Blueprint
from werkzeug.routing import BaseConverter

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PREFIX = "/api/v1"
REF_PATTERN = "[A-Za-z0-9-]{1,12}"


class BookingRefConverter(BaseConverter):
    """A booking reference as the database holds them: anything else (a NUL character, a
    500-character path) is simply no such address, and never reaches a query."""
    regex = REF_PATTERN


def register(app):
    """Add the API to the app: token auth instead of CSRF and sessions."""
    from ...extensions import csrf
    from . import auth, openapi, problems  # noqa: F401  (routes, limits and handlers)
    from .views import availability, bookings, orders  # noqa: F401

    app.url_map.converters["booking_ref"] = BookingRefConverter
    csrf.exempt(bp)
    app.register_blueprint(bp)
