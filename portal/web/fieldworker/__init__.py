"""Staff pages under /fieldworker: a fieldworker's jobs and every staff member's notifications
(admins too). The parent blueprint checks for staff once, before any view runs."""
from flask import Blueprint

from ..app.access import require_role

bp = require_role(Blueprint("fieldworker", __name__, url_prefix="/fieldworker"),
                  "admin", "fieldworker")

# Joined once, at import (see portal/web/admin/__init__.py).
from . import jobs, notifications, push  # noqa: E402

bp.register_blueprint(jobs.bp)
bp.register_blueprint(notifications.bp)
bp.register_blueprint(push.bp)
