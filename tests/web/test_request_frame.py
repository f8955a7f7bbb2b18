"""The request frame around a view, made cheaper, answers as the libraries' own path does: a
redirect's headers (portal/web/app/answers.py), Flask-Login's session protection
(portal/web/app/session_guard.py) and the signed session cookie (session_cookie.py)."""
import random

import pytest
from flask import Response
from werkzeug.urls import iri_to_uri

from portal.web.app.answers import _KEPT_AS_IS
from portal.web.app.answers import Response as KeptResponse

ENVIRON = {"wsgi.url_scheme": "http", "SERVER_NAME": "localhost", "SERVER_PORT": "80",
           "HTTP_HOST": "localhost", "REQUEST_METHOD": "POST", "PATH_INFO": "/page"}


@pytest.mark.parametrize("location", [
    "/bookings", "/bookings/AB12CD?tab=past&page=2", "/login?next=%2Fbookings%3Fx%3D1",
    "/a/b;c=d/@x:y!$&'()*+,=~_.-", "/bookings?", "/bookings#top", "/p?q#f", "//other.host/x",
    "/\\other.host", "/bookings?x=ü", "/ü", "/a b", "/a\tb", "https://example.com/x", "x/y",
    "/a%zz", "", "/"])
@pytest.mark.parametrize("name", ["Location", "location"])
def test_redirect_headers_are_werkzeugs(app, location, name):
    for status in (301, 302, 303, 307):
        kept = KeptResponse("", status, {name: location})
        plain = Response("", status, {name: location})
        assert kept.get_wsgi_headers(ENVIRON).to_wsgi_list() == \
            plain.get_wsgi_headers(ENVIRON).to_wsgi_list()


def test_two_locations_or_autocorrect_go_werkzeugs_way(app, monkeypatch):
    headers = [("Location", "/a"), ("Location", "/b")]
    assert KeptResponse("", 302, headers).get_wsgi_headers(ENVIRON).to_wsgi_list() == \
        Response("", 302, headers).get_wsgi_headers(ENVIRON).to_wsgi_list()
    monkeypatch.setattr(KeptResponse, "autocorrect_location_header", True)
    kept = KeptResponse("", 302, {"Location": "/a"}).get_wsgi_headers(ENVIRON)
    assert kept["Location"] == "http://localhost/a"


def test_what_is_kept_as_is_is_what_iri_to_uri_gives_back():
    """Random texts over URL characters: whatever the pattern hands over unchanged,
    werkzeug's iri_to_uri gives back unchanged."""
    alphabet = "/?#%:;@&=+$,!'()*~_.-aZ09 \\\"<>[]{}|^`ü\t"
    rng = random.Random(17)
    matched = 0
    for _ in range(20000):
        text = "/" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        if _KEPT_AS_IS.fullmatch(text):
            matched += 1
            assert iri_to_uri(text) == text, text
    assert matched > 500


# Session protection (portal/web/app/session_guard.py) ----------------------------------------

ELSEWHERE = {  # a session cookie used again from...
    "the same browser": {},
    "another agent": {"headers": {"User-Agent": "Other/1.0"}},
    "another address": {"environ_base": {"REMOTE_ADDR": "10.9.8.7"}},
    "behind a proxy": {"headers": {"X-Forwarded-For": "203.0.113.5, 10.0.0.1"}},
}


def _after_login_from(app, world, how):
    """(status, Location, whether a cookie was written, the session's keys and _fresh) for a
    logged-in page asked for `how`."""
    from flask import g

    from tests.support.forms import login
    client = app.test_client()
    # The tests' app context outlives requests, and Flask-Login (its user) and Flask-WTF (the
    # token) keep what they found in its `g`: each request here starts from an empty one, as
    # a request's own app context does.
    g.__dict__.clear()
    login(client, world.customer.email)
    g.__dict__.clear()
    response = client.get("/bookings", **ELSEWHERE[how])
    g.__dict__.clear()
    with client.session_transaction() as sess:
        kept = (sorted(sess), sess.get("_fresh"))
    return (response.status_code, response.headers.get("Location"),
            "Set-Cookie" in response.headers, kept)


@pytest.mark.parametrize("how", list(ELSEWHERE))
@pytest.mark.parametrize("mode", ["basic", "strong", None])
def test_session_protection_is_flask_logins(app, world, monkeypatch, mode, how):
    """The quick loading answers exactly as Flask-Login's own _load_user does, in every
    protection mode, from the same or another address or agent."""
    monkeypatch.setitem(app.config, "SESSION_PROTECTION", mode)
    kept = _after_login_from(app, world, how)
    monkeypatch.delattr(app.login_manager, "_load_user")  # the library's method again
    assert "_load_user" not in app.login_manager.__dict__
    assert _after_login_from(app, world, how) == kept


@pytest.mark.parametrize("how", ["another agent", "another address", "behind a proxy"])
def test_a_session_from_elsewhere_is_protected(app, world, monkeypatch, how):
    """"basic" keeps the user but marks the session not fresh (a new cookie); "strong" ends
    the login: the page sends to the login page and the session loses the user."""
    monkeypatch.setitem(app.config, "SESSION_PROTECTION", "basic")
    status, _, written, (keys, fresh) = _after_login_from(app, world, how)
    assert (status, written, fresh) == (200, True, False) and "_user_id" in keys
    monkeypatch.setitem(app.config, "SESSION_PROTECTION", "strong")
    status, location, _, (keys, _) = _after_login_from(app, world, how)
    assert status == 302 and location.startswith("/login") and "_user_id" not in keys
    status, _, written, (keys, fresh) = _after_login_from(app, world, "the same browser")
    assert (status, written, fresh) == (200, False, True) and "_user_id" in keys


@pytest.mark.parametrize("environ", [
    {}, {"REMOTE_ADDR": "10.0.0.1"}, {"REMOTE_ADDR": "::1", "HTTP_USER_AGENT": "Mozilla/5.0 ü"},
    {"HTTP_X_FORWARDED_FOR": " 203.0.113.5 , 10.0.0.1", "HTTP_USER_AGENT": ""},
    {"HTTP_X_FORWARDED_FOR": "", "REMOTE_ADDR": "10.0.0.1"}])
def test_the_identifier_is_flask_logins(app, environ):
    from flask_login.utils import _create_identifier

    from portal.web.app.session_guard import session_identifier
    with app.test_request_context("/", environ_overrides={"HTTP_USER_AGENT": None, **environ}):
        from flask import request
        if environ.get("HTTP_USER_AGENT") is None:
            request.environ.pop("HTTP_USER_AGENT", None)
        if "REMOTE_ADDR" not in environ:
            request.environ.pop("REMOTE_ADDR", None)
            request.remote_addr = None
        for _ in range(2):  # (the second time kept)
            assert session_identifier(request) == _create_identifier()


# The signed session cookie (portal/web/app/session_cookie.py) ---------------------------------

COOKIE_VALUES = [
    {"_user_id": "customer:" + "x" * 43, "_fresh": True, "_id": "ab" * 64},
    {"_flashes": [("success", "Booking cancelled: ü <b>&</b>")], "csrf_token": "t"},
    {"n": 1, "f": 1.5, "none": None, "list": [1, "a", (2, 3)], "z": {"b": 1, "a": 2}},
]


@pytest.mark.parametrize("value", COOKIE_VALUES)
@pytest.mark.parametrize("sort_keys, ensure_ascii", [(True, True), (False, False)])
def test_a_written_cookie_is_flasks_byte_for_byte(app, monkeypatch, value, sort_keys,
                                                  ensure_ascii):
    """Kept signer, one-shot HMAC and kept JSON encoder: the very cookie Flask writes (the
    same second), with the app's JSON settings as they are and changed."""
    import itsdangerous.timed
    from flask.sessions import SecureCookieSessionInterface

    from portal.web.app.session_cookie import KeptSignerSessionInterface
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: 1_790_000_000.5)
    monkeypatch.setattr(app.json, "sort_keys", sort_keys)
    monkeypatch.setattr(app.json, "ensure_ascii", ensure_ascii)
    kept = KeptSignerSessionInterface()
    with app.test_request_context("/"):
        for _ in range(2):  # the second time through the kept signer and encoder
            assert kept.get_signing_serializer(app).dumps(value) == \
                SecureCookieSessionInterface().get_signing_serializer(app).dumps(value)


def test_another_digest_signs_as_itsdangerous_does(app, monkeypatch):
    import hashlib

    import itsdangerous.timed
    from flask.sessions import SecureCookieSessionInterface

    from portal.web.app.session_cookie import KeptSignerSessionInterface
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: 1_790_000_000.0)
    kept, plain = KeptSignerSessionInterface(), SecureCookieSessionInterface()
    for interface in (kept, plain):
        monkeypatch.setattr(interface, "digest_method", staticmethod(hashlib.sha256),
                            raising=False)
    with app.test_request_context("/"):
        assert kept.get_signing_serializer(app).dumps(COOKIE_VALUES[0]) == \
            plain.get_signing_serializer(app).dumps(COOKIE_VALUES[0])


# The request's locale (portal/kernel/i18n.py) --------------------------------------------------

@pytest.mark.parametrize("accept", [None, "de-DE,de;q=0.9", "es", "fr, en;q=0.5", "xx"])
def test_the_first_locale_is_flask_babels(app, world, accept):
    """The locale selector's answer, noted where Flask-Babel notes it: the same Locale
    Flask-Babel's get_locale gives, which then reads it without asking the selector again."""
    import flask_babel

    from portal.kernel.i18n import current_locale, translations
    headers = {} if accept is None else {"Accept-Language": accept}
    with app.app_context(), app.test_request_context("/", headers=headers):
        plain = flask_babel.get_locale()
    with app.app_context(), app.test_request_context("/", headers=headers):
        mine = current_locale()
        assert mine == plain and flask_babel.get_locale() is mine
        assert translations() is flask_babel.get_translations()
    assert str(mine) == {"de-DE,de;q=0.9": "de", "es": "es"}.get(accept, "en")


# The person and session a login session's statement reads (portal/accounts/sessions.py) ------

@pytest.mark.parametrize("kind", ["customer", "staff"])
def test_a_resumed_person_and_session_are_peewees(app, world, kind):
    """The objects built from the session's statement hold what peewee reads for the same
    rows, value for value and type for type (dates, booleans, ids, texts)."""
    from portal.accounts import sessions
    person = world.customer if kind == "customer" else world.admin
    model = type(person)
    started = sessions.start(model.get_by_id(person.id), user_agent="Agent/1.0")
    resumed = sessions.resume(started.session_key)
    for mine, peewees in ((resumed, model.get_by_id(person.id)),
                          (resumed.login_session,
                           sessions.LoginSession.get_by_id(started.login_session.id))):
        assert {k: (v, type(v)) for k, v in mine.__data__.items()} == \
            {k: (v, type(v)) for k, v in peewees.__data__.items()}


# Where to go back to (portal/web/app/return_to.py) ---------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST", "PUT"])
@pytest.mark.parametrize("query, form", [
    ("", {}), ("next=/admin/today", {}), ("", {"next": "/admin/bookings"}),
    ("next=", {"next": "/admin/bookings"}), ("next=/a&next=/b", {"next": "/c"}),
    ("other=1", {"next": ""})])
def test_the_next_read_is_request_values(app, method, query, form):
    from flask import request

    from portal.web.app.return_to import _first_next
    with app.test_request_context(f"/x?{query}", method=method, data=form):
        assert _first_next(request._get_current_object()) == request.values.get("next")


# Cookie into an answer's Vary (portal/web/app/security_headers.py) ----------------------------

@pytest.mark.parametrize("headers", [
    [("Vary", "HX-Request, HX-Target")], [("Vary", "Accept")], [("Vary", "Cookie")],
    [("Vary", "HX-Request, cookie")], [("vary", "Accept")], [("Vary", "Accept,Origin")],
    [("Vary", "Accept, Accept")], [("Vary", "*")], [("Vary", 'Accept, "x y"')],
    [("Vary", "")], [("Vary", "Accept"), ("X-A", "1"), ("Vary", "Origin")],
    [("X-A", "1"), ("Vary", "Accept-Language, HX-Request"), ("X-B", "2")]])
def test_cookie_goes_into_vary_as_werkzeug_puts_it(headers):
    from portal.web.app.security_headers import _vary_on_cookie
    mine, werkzeugs = Response("x", headers=headers), Response("x", headers=headers)
    _vary_on_cookie(mine)
    werkzeugs.vary.add("Cookie")
    assert mine.headers.to_wsgi_list() == werkzeugs.headers.to_wsgi_list()


@pytest.mark.parametrize("vary", [
    None, "Cookie", "cookie", "Accept, Cookie", "Accept,COOKIE ", " Cookie , Accept",
    "Cookies", "X-Cookie", "Accept", "", "Accept, Cookie2", "Set-Cookie"])
def test_varies_on_cookie_is_what_response_vary_says(vary):
    from portal.web.app.session_cookie import _varies_on_cookie
    response = Response("x", headers={} if vary is None else {"Vary": vary})
    assert _varies_on_cookie(response) == ("cookie" in response.vary)


# current_user's look-up (portal/web/app/session_guard.py: logged_in_user) -------------------

@pytest.mark.parametrize("who", ["nobody", "customer", "ended"])
def test_current_users_look_up_is_flask_logins(app, world, who):
    """Outside a request, before and after the user is loaded, for a visitor, a logged-in
    customer and a session ended meanwhile: what Flask-Login's _get_user gives, and the same
    left in `g`."""
    import threading

    import flask_login.utils
    from flask import g

    from portal.accounts.sessions import LoginSession
    from portal.web.app.session_guard import FLASK_LOGINS_GET_USER, logged_in_user
    from tests.support.forms import login
    assert flask_login.utils._get_user is logged_in_user
    client = app.test_client()
    g.__dict__.clear()
    if who != "nobody":
        login(client, world.customer.email)
    if who == "ended":
        LoginSession.delete().execute()
    outside = []  # (a new thread has no request context; the tests' own has one)
    thread = threading.Thread(target=lambda: outside.extend(
        (logged_in_user(), FLASK_LOGINS_GET_USER())))
    thread.start()
    thread.join()
    assert outside == [None, None]
    with client:
        client.get("/login")
        seen = []
        for get_user in (logged_in_user, FLASK_LOGINS_GET_USER):
            g.__dict__.pop("_login_user", None)
            first = get_user()
            again = get_user()
            seen.append((type(first), getattr(first, "id", None), first.is_authenticated,
                         again is first, g._login_user is first))
        assert seen[0] == seen[1]
        assert seen[0][2] is (who == "customer")
    g.__dict__.clear()
