"""Health checks for load balancers, systemd and uptime monitors.

/healthz: the process answers (no database). /readyz: it can serve, i.e. every dependency in
CHECKS answers a trivial query; 503 with the failing one's name and reason otherwise. Both are
plain text, exempt from CSRF, need no login and never touch the session (no cookie is set).
The app's before_request does not open a database connection for this blueprint
(portal/__init__.py), so a database that is down cannot turn /healthz into a 500.
"""
import logging

from flask import Blueprint

from ...extensions import csrf
from ...kernel.db import database

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)
csrf.exempt(bp)

TEXT = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


def _database():
    with database.connection_context():
        database.execute_sql("SELECT 1").fetchone()


# name -> a callable that raises when that dependency is unreachable. Another store the app
# needs (say a shared rate-limit store) adds itself with add_check().
CHECKS = {"database": _database}


def add_check(name, check):
    CHECKS[name] = check


@bp.get("/healthz")
def healthz():
    return "ok\n", 200, TEXT


@bp.get("/readyz")
def readyz():
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure means "not ready": say which, log why
            # The driver's message (host, user) is for the operator's log, not the public.
            log.warning("readyz: %s unreachable: %s", name, " ".join(str(exc).split()))
            return f"not ready: {name} unreachable ({type(exc).__name__})\n", 503, TEXT
    return "ready\n", 200, TEXT
