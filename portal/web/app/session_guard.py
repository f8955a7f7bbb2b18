"""Flask-Login's loading of the request's user (LoginManager._load_user), for the usual request:
a session that names a user and comes from the browser it was made in.

Flask-Login reaches the session, the app and the request through their proxies several times
per request and, for session protection ("basic", its default, or "strong"), hashes the client's
address and user agent, asking werkzeug's headers for an X-Forwarded-For that is rarely there (a
raised and caught KeyError): about 55 Python calls before the loader runs. Here the request
context is read once and the identifier made from the WSGI environ (session_identifier, the
same text as flask_login.utils._create_identifier).

Only the usual case is taken here: a session with a user id whose identifier matches (or no
protection). Anything else (no user id: a visitor, a remember cookie, a request or header
loader; a session from another address or agent, which "basic" marks not fresh and "strong"
empties) is Flask-Login's own _load_user, unchanged. When the loader refuses the id (an ended
session) the rest is Flask-Login's too: its remember cookie, request loader or header loader.
"""
from hashlib import sha512

from flask.globals import _cv_app, _cv_request
from flask_login import LoginManager
from flask_login import utils as flask_login_utils
from flask_login.config import AUTH_HEADER_NAME, COOKIE_NAME
from flask_login.signals import user_accessed

PROTECTING = ("basic", "strong")
FLASK_LOGINS_GET_USER = flask_login_utils._get_user  # the library's (tests compare with it)


def session_identifier(request):
    """flask_login.utils._create_identifier for `request`: the SHA-512 of the client's address
    (the first of X-Forwarded-For, else REMOTE_ADDR) and user agent, both as the bytes' repr,
    read from the environ (werkzeug's header lookups read the same environ keys), kept per
    (address, agent) texts: the same texts always hash to the same identifier."""
    environ = request.environ
    address = environ.get("HTTP_X_FORWARDED_FOR", request.remote_addr)
    agent = environ.get("HTTP_USER_AGENT")
    key = (address, agent)  # a browser sends the same every time: its identifier kept
    identifier = _IDENTIFIERS.get(key)
    if identifier is None:
        if address is not None:
            address = address.encode("utf-8").split(b",")[0].strip()
        if agent is not None:
            agent = agent.encode("utf-8")
        identifier = sha512(f"{address}|{agent}".encode("utf8")).hexdigest()
        if len(_IDENTIFIERS) >= KEPT_IDENTIFIERS:
            _IDENTIFIERS.clear()
        _IDENTIFIERS[key] = identifier
    return identifier


KEPT_IDENTIFIERS = 4096  # (address, agent) -> identifier, per process; cleared when full
_IDENTIFIERS = {}


def init_app(app):
    """Put the quick loading in place on the app's LoginManager (once: the manager is shared by
    every app in the process, and the quick path reads the app from the request), and the
    quick look-up behind current_user."""
    manager = getattr(app, "login_manager", None)  # (an app without Flask-Login: nothing)
    if manager is not None and "_load_user" not in manager.__dict__:
        manager._load_user = _quick_load_user(manager)
    if manager is not None:
        # current_user is LocalProxy(lambda: _get_user()), which finds _get_user in this
        # module's globals on every use: the same function, with the contexts read once.
        flask_login_utils._get_user = logged_in_user


def logged_in_user():
    """flask_login.utils._get_user (the user behind current_user): the request's user as
    Flask-Login noted it in `g`, loaded first when it has not been; None outside a request.
    The request and app contexts are read once instead of through has_request_context and
    the `g` and current_app proxies (nine look-ups; a page asks for current_user many times)."""
    if _cv_request.get(None) is None:
        return None
    app_ctx = _cv_app.get()
    kept = app_ctx.g.__dict__
    if "_login_user" not in kept:
        app_ctx.app.login_manager._load_user()
    return app_ctx.g._login_user


def _quick_load_user(manager):
    flask_logins = LoginManager._load_user.__get__(manager)  # the library's, for all the rest

    def _load_user():
        ctx = _cv_request.get(None)
        if ctx is None or manager._user_callback is None:
            return flask_logins()
        sess, app = ctx.session, ctx.app
        user_id = sess.get("_user_id")
        if user_id is None:
            return flask_logins()
        mode = app.config.get("SESSION_PROTECTION", manager.session_protection)
        if mode in PROTECTING and session_identifier(ctx.request) != sess.get("_id"):
            return flask_logins()  # another address or agent: Flask-Login protects
        user_accessed.send(app)
        user = manager._user_callback(user_id)
        if user is None:
            user = _load_user_otherwise(manager, app, ctx.request, sess)
            return manager._update_request_context_with_user(user)
        _cv_app.get().g._login_user = user  # (Flask-Login's, without the `g` proxy)
        return None

    return _load_user


def _load_user_otherwise(manager, app, request, sess):
    """Flask-Login's steps after the session's id loaded nobody (LoginManager._load_user)."""
    config = app.config
    cookie_name = config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
    header_name = config.get("AUTH_HEADER_NAME", AUTH_HEADER_NAME)
    if cookie_name in request.cookies and sess.get("_remember") != "clear":
        return manager._load_user_from_remember_cookie(request.cookies[cookie_name])
    if manager._request_callback:
        return manager._load_user_from_request(request)
    if header_name in request.headers:
        return manager._load_user_from_header(request.headers[header_name])
    return None
