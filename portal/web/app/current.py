"""What every request reads once and every view and template shares: the settings row."""
from flask import g, has_request_context, request, session
from flask.globals import _cv_request
from flask_login import current_user

from ...accounts.sessions import resume
from ...settings import Settings


def current_settings():
    """The settings row, read once per request (kept in the WSGI environ, which is per request
    even when an app context outlives it). With a login session, the statement that loads the
    person reads it too (load_person): a page that asks for the settings before the person
    loads the person first, so either way it is one statement for both."""
    # The request context read once, not through has_request_context and `request` (a page
    # asks for the settings about five times).
    ctx = _cv_request.get(None)
    if ctx is None:
        return Settings.current()
    environ = ctx.request.environ
    kept = environ.get("rebook.settings")
    if kept is not None:
        return kept
    if "rebook.settings" not in environ:
        if "_login_user" not in g and "_user_id" in session:
            current_user._get_current_object()  # Flask-Login's loader: load_person below
        if "rebook.settings" not in environ:
            environ["rebook.settings"] = Settings.current()
    return environ["rebook.settings"]


def load_person(key):
    """Flask-Login's user loader: the person whose login session the cookie names
    (accounts.sessions.resume). The settings row that statement read becomes this request's,
    unless the request already has one (a request sees one settings row throughout)."""
    person = resume(key)
    if person is not None and person.read_settings is not None and has_request_context():
        request.environ.setdefault("rebook.settings", person.read_settings)
    return person
