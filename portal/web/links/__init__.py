"""Pages reached from signed links in emails (/l/<token>): one booking, no login."""
from flask import Blueprint

bp = Blueprint("links", __name__, url_prefix="/l")

# Joined once, at import (see portal/web/admin/__init__.py).
from . import booking, waitlist  # noqa: E402

bp.register_blueprint(booking.bp)
bp.register_blueprint(waitlist.bp)
