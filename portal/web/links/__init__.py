"""Pages reached from signed links in emails (/l/<token>): one booking, no login."""
from flask import Blueprint

bp = Blueprint("links", __name__, url_prefix="/l")


def register(app):
    from . import booking
    bp.register_blueprint(booking.bp)
    app.register_blueprint(bp)
