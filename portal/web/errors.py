"""Error pages and fragments: say what happened and what to do next."""
from flask import make_response, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..errors import DomainError
from ..links import LinkInvalid
from .htmx import into_modal, is_htmx

MESSAGES = {
    400: ("That request didn't make sense", "Go back, reload the page and try again."),
    401: ("Please log in", "Your session has ended. Log in again to continue."),
    403: ("Not allowed", "Your account can't do that. Ask an admin if you think it should."),
    404: ("Not found", "We couldn't find that page or booking. It may not be yours, "
                       "or the link may be wrong."),
    405: ("Not allowed", "That action can't be done this way. Go back and use the buttons "
                         "on the page."),
    409: ("Something changed", "This booking changed since the page loaded. Reload and try again."),
    413: ("Too much data", "What you sent is too large. Shorten it and try again."),
    422: ("Please check the form", "Some of what you entered can't be used."),
    429: ("Too many tries", "Please wait a minute and try again."),
    500: ("Something went wrong", "It's not you, it's us. Nothing was changed; please try again "
                                  "in a moment."),
}


def error_response(status, message=None):
    title, default = MESSAGES.get(status, MESSAGES[400])
    if is_htmx():
        return into_modal(make_response(
            render_template("_error_modal.html", title=title, message=message or default),
            status))
    return render_template("error.html", title=title, message=message or default), status


def register(app):
    @app.errorhandler(CSRFError)
    def _csrf(exc):
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
