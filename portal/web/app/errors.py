"""Error pages and fragments: say what happened and what to do next."""
from flask import current_app, make_response, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from peewee import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from ...bookings.links import LinkInvalid
from ...kernel.db import drop_connection
from ...kernel.errors import DomainError
from ...kernel.i18n import N_
from .htmx import into_modal, is_htmx
from .session_expiry import expired_answer

MESSAGES = {
    400: (N_("That request didn't make sense"), N_("Go back, reload the page and try again.")),
    401: (N_("Please log in"), N_("Your session has ended. Log in again to continue.")),
    403: (N_("Not allowed"),
          N_("Your account can't do that. Ask an admin if you think it should.")),
    404: (N_("Not found"), N_("We couldn't find that page or booking. It may not be yours, "
                              "or the link may be wrong.")),
    405: (N_("Not allowed"), N_("That action can't be done this way. Go back and use the "
                                "buttons on the page.")),
    409: (N_("Something changed"),
          N_("This booking changed since the page loaded. Reload and try again.")),
    413: (N_("Too much data"), N_("What you sent is too large. Shorten it and try again.")),
    422: (N_("Please check the form"), N_("Some of what you entered can't be used.")),
    429: (N_("Too many tries"), N_("Please wait a minute and try again.")),
    500: (N_("Something went wrong"), N_("It's not you, it's us. Nothing was changed; please "
                                         "try again in a moment.")),
}


def error_response(status, message=None):
    title, default = (gettext(text) for text in MESSAGES.get(status, MESSAGES[400]))
    if is_htmx():
        return into_modal(make_response(
            render_template("app/_error_modal.html", title=title, message=message or default),
            status))
    return render_template("app/error.html", title=title, message=message or default), status


# The database is out of reach (down, restarting, unreachable, or SQLite's lock wait ran out).
# Nothing was changed: a failed connection or statement commits nothing.
UNAVAILABLE = {
    "auth.login": ("We can't check sign-ins right now",
                   "We can't check sign-ins right now; nothing was changed. Please try again "
                   "in a minute."),
    None: ("We can't reach our records right now",
           "We can't reach our records right now; nothing was changed. Please try again in a "
           "minute."),
}
# SQLSTATE classes of a lost or refused connection: 08 connection exception, 57P0x shutdown.
UNREACHABLE_CODES = ("08", "57P01", "57P02", "57P03")
SQLITE_UNREACHABLE = ("unable to open database", "database is locked", "disk i/o error")


def database_unreachable(exc):
    """True when a peewee error means the database could not be reached or used right now,
    not that a query was wrong (that stays a 500, to be fixed)."""
    if isinstance(exc, InterfaceError):
        return True
    cause = exc.__cause__ or exc.__context__ or exc  # peewee raises its own over the driver's
    code = getattr(cause, "pgcode", None)
    if type(cause).__module__.startswith("psycopg2"):
        # A connection that failed or broke has no SQLSTATE (the client library raised it).
        return code is None or code.startswith(UNREACHABLE_CODES)
    return str(cause).lower().startswith(SQLITE_UNREACHABLE)


def unavailable_answer(message=None):
    """503 without touching the database: the page's template needs neither the settings row
    nor the logged-in user (each a query), so it renders while the database is down."""
    title, default = UNAVAILABLE.get(request.endpoint, UNAVAILABLE[None])
    template = "app/_error_modal.html" if is_htmx() else "app/unavailable.html"
    html = current_app.jinja_env.get_template(template).render(
        title=title, message=message or default)
    response = make_response(html, 503)
    response.headers["Retry-After"] = "60"
    response.headers["Cache-Control"] = "no-store"
    return into_modal(response) if is_htmx() else response


def register(app):
    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database(exc):
        if not database_unreachable(exc):
            return _unexpected(exc)
        app.logger.warning("database unreachable: %s", exc)
        drop_connection()
        return unavailable_answer()

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        # What was typed is kept (app/session_expiry.py); htmx gets the 400 in the open dialog.
        from flask_login import current_user
        kept = expired_answer(400, logged_out=not current_user.is_authenticated,
                              stale_token=True)
        if kept is not None:
            return kept
        return error_response(400, "Your form expired or was sent without its security token. "
                                   "Reload the page and try again; nothing was changed.")

    @app.errorhandler(LinkInvalid)
    def _link(exc):
        return render_template("links/invalid.html", message=exc.message), exc.status

    @app.errorhandler(DomainError)
    def _domain(exc):
        return error_response(exc.status, exc.message)

    @app.errorhandler(HTTPException)
    def _http(exc):
        return error_response(exc.code or 500, None)

    @app.errorhandler(Exception)
    def _unexpected(exc):
        app.logger.exception("unhandled error")
        return error_response(500)
