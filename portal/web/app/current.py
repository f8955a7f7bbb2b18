"""What every request reads once and every view and template shares: the settings row; and
a page's first read made in the statement that loads the person (read_with_person)."""
from flask import g, session
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


# Pages whose first read needs only the URL and the person, by endpoint: `read(**view_args)`
# gives a kernel.beside.Along that the person's own statement makes too (on PostgreSQL a
# round trip fewer). GET and HEAD only: a POST's reads after its change must see the change.
_READ_WITH_PERSON = {}
SAFE_METHODS = ("GET", "HEAD")


def read_with_person(endpoint, read):
    _READ_WITH_PERSON[endpoint] = read


def read_along(along):
    """The rows `along` read in the person's statement this request, once (a later read in
    the same request reads afresh), or None when it was not read there."""
    environ = _cv_request.get().request.environ
    kept = environ.get("rebook.along")
    if kept is None or not kept[0].same(along):
        return None
    del environ["rebook.along"]
    return kept[1]


def load_person(key):
    """Flask-Login's user loader: the person whose login session the cookie names
    (accounts.sessions.resume). The settings row that statement read becomes this request's,
    unless the request already has one (a request sees one settings row throughout); a page's
    read made with it (read_with_person) is kept for the page (read_along)."""
    ctx = _cv_request.get(None)  # (once, not through has_request_context and `request`)
    if ctx is None:
        return resume(key)
    req = ctx.request
    read = _READ_WITH_PERSON.get(req.endpoint) if req.method in SAFE_METHODS else None
    along = read(**req.view_args) if read is not None else None
    person = resume(key, along=along)
    if person is None:
        return None
    if person.read_settings is not None:
        req.environ.setdefault("rebook.settings", person.read_settings)
    if person.read_along is not None:
        req.environ["rebook.along"] = (along, person.read_along)
    return person
