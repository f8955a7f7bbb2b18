"""What every request reads once and every view and template shares: the settings row; and
a page's first read made in the statement that loads the person (read_with_person)."""
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
    kept = request.environ.get("rebook.along")
    if kept is None or not kept[0].same(along):
        return None
    del request.environ["rebook.along"]
    return kept[1]


def _along():
    if not has_request_context() or request.method not in SAFE_METHODS:
        return None
    read = _READ_WITH_PERSON.get(request.endpoint)
    return read(**request.view_args) if read is not None else None


def load_person(key):
    """Flask-Login's user loader: the person whose login session the cookie names
    (accounts.sessions.resume). The settings row that statement read becomes this request's,
    unless the request already has one (a request sees one settings row throughout); a page's
    read made with it (read_with_person) is kept for the page (read_along)."""
    along = _along()
    person = resume(key, along=along)
    if person is None or not has_request_context():
        return person
    if person.read_settings is not None:
        request.environ.setdefault("rebook.settings", person.read_settings)
    if person.read_along is not None:
        request.environ["rebook.along"] = (along, person.read_along)
    return person
