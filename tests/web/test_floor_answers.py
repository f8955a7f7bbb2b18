"""What every request runs (the hooks, the session cookie, portal/web/app/answers.py's
Response) answers byte for byte as before and as Flask's own path does: the same status, the
same headers in the same order (the security headers, Vary, X-Request-ID, Set-Cookie with its
attributes) and the same body, for a public page, a logged-in page, an htmx request, a POST
that changes the session, 404s, the input guard's 400, a static file, the API's 404 and a token
page. The plain path is the same app with Flask's Response class, Flask's session interface
and Flask-Login's remember-cookie hook (the libraries' code); PINNED is what the hooks wrote
before they were made cheaper (only a date, a length and a signed value left out).
"""
import re

import pytest
from flask import Response
from flask.sessions import SecureCookieSessionInterface
from werkzeug.datastructures import Headers

from portal.bookings.links import make_token
from portal.extensions import login as login_manager
from portal.web.app.answers import Response as KeptResponse
from portal.web.app.answers import header_names
from portal.web.app.security_headers import CSP, PERMISSIONS
from tests.support.forms import csrf_from, login

REQUEST_ID = "floor-test-1"
PINNED = {
    "public page": (200, [
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", None),
        ("X-Content-Type-Options", "nosniff"), ("Content-Security-Policy", CSP),
        ("X-Frame-Options", "DENY"), ("Referrer-Policy", "strict-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"), ("Permissions-Policy", PERMISSIONS),
        ("Vary", "Cookie"), ("X-Request-ID", REQUEST_ID),
        ("Set-Cookie", "session=<signed>; HttpOnly; Path=/; SameSite=Lax")]),
    "404": (404, [
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", None),
        ("X-Content-Type-Options", "nosniff"), ("Content-Security-Policy", CSP),
        ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"), ("Permissions-Policy", PERMISSIONS),
        ("Vary", "Cookie"), ("X-Request-ID", REQUEST_ID)]),
    "input guard 400": (400, [
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", None),
        ("X-Content-Type-Options", "nosniff"), ("Content-Security-Policy", CSP),
        ("X-Frame-Options", "DENY"), ("Referrer-Policy", "strict-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"), ("Permissions-Policy", PERMISSIONS),
        ("Vary", "Cookie"), ("X-Request-ID", REQUEST_ID)]),
    "static file": (200, [
        ("Content-Disposition", "inline; filename=app.js"),
        ("Content-Type", "text/javascript; charset=utf-8"), ("Content-Length", None),
        ("Last-Modified", None), ("Cache-Control", "no-cache"), ("ETag", None), ("Date", None),
        ("Accept-Ranges", "bytes"), ("X-Content-Type-Options", "nosniff"),
        ("X-Request-ID", REQUEST_ID), ("Vary", "Cookie")]),
    "api 404": (404, [
        ("Content-Type", "application/problem+json"), ("Content-Length", None),
        ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"),
        ("Content-Security-Policy", CSP), ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"), ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", PERMISSIONS), ("Vary", "Cookie"), ("X-Request-ID", REQUEST_ID)]),
    "token page": (200, [
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", None),
        ("X-Content-Type-Options", "nosniff"), ("Content-Security-Policy", CSP),
        ("X-Frame-Options", "DENY"), ("Referrer-Policy", "strict-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"), ("Permissions-Policy", PERMISSIONS),
        ("Cache-Control", "no-store"), ("Vary", "Cookie"), ("X-Request-ID", REQUEST_ID)]),
    "logged-in page": (200, [
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", None),
        ("Vary", "HX-Request, HX-Target, Cookie"), ("X-Content-Type-Options", "nosniff"),
        ("Content-Security-Policy", CSP), ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"), ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", PERMISSIONS), ("Cache-Control", "no-store"),
        ("X-Request-ID", REQUEST_ID)]),
    "logged-in htmx": (200, [
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", None),
        ("X-Content-Type-Options", "nosniff"), ("Content-Security-Policy", CSP),
        ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"), ("Permissions-Policy", PERMISSIONS),
        ("Cache-Control", "no-store"), ("Vary", "Cookie"), ("X-Request-ID", REQUEST_ID)]),
    "logged-in 404": (404, [
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", None),
        ("X-Content-Type-Options", "nosniff"), ("Content-Security-Policy", CSP),
        ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"), ("Permissions-Policy", PERMISSIONS),
        ("Cache-Control", "no-store"), ("Vary", "Cookie"), ("X-Request-ID", REQUEST_ID)]),
    "POST changing the session": (302, [
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", None),
        ("Location", "/login"), ("X-Content-Type-Options", "nosniff"),
        ("Content-Security-Policy", CSP), ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"), ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", PERMISSIONS), ("Vary", "Cookie"), ("X-Request-ID", REQUEST_ID),
        ("Set-Cookie", "session=<signed>; HttpOnly; Path=/; SameSite=Lax")]),
    "after logout": (200, [
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", None),
        ("X-Content-Type-Options", "nosniff"), ("Content-Security-Policy", CSP),
        ("X-Frame-Options", "DENY"), ("Referrer-Policy", "strict-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"), ("Permissions-Policy", PERMISSIONS),
        ("Vary", "Cookie"), ("X-Request-ID", REQUEST_ID),
        ("Set-Cookie", "session=<signed>; HttpOnly; Path=/; SameSite=Lax")]),
    "logout with a remember cookie": (302, [
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", None),
        ("Location", "/login"), ("X-Content-Type-Options", "nosniff"),
        ("Content-Security-Policy", CSP), ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"), ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", PERMISSIONS), ("Vary", "Cookie"),
        ("Set-Cookie", "remember_token=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"),
        ("X-Request-ID", REQUEST_ID),
        ("Set-Cookie", "session=<signed>; HttpOnly; Path=/; SameSite=Lax")]),
}


def _answers(app, world):
    """(label, status, [(header, value)], body) for every case, the cookie's signed value and
    the request id made comparable (a timestamp and a random id are in them)."""
    client = app.test_client()
    out = []

    def record(label, response):
        headers = []
        for name, value in response.headers.items():
            if name == "Set-Cookie":
                value = re.sub(r"^(session=)[^;]+", r"\1<signed>", value)
            headers.append((name, value))
        out.append((label, response.status_code, headers, response.get_data()))

    get = lambda url, **kw: client.get(url, headers={"X-Request-ID": REQUEST_ID,
                                                     **kw.pop("headers", {})}, **kw)
    record("public page", get("/login"))
    record("404", get("/no-such-page"))
    record("input guard 400", get("/login?q=%00"))
    record("static file", get("/static/app.js"))
    record("api 404", get("/api/v1/nothing-here"))
    record("token page", get(f"/l/{make_token(app.config['SECRET_KEY'], 'view', world.upcoming)}"))
    login(client, world.customer.email)
    record("logged-in page", get("/bookings"))
    record("logged-in htmx", get(f"/bookings/{world.upcoming.ref}", headers={"HX-Request": "true"}))
    page = get("/bookings").get_data(as_text=True)
    record("logged-in 404", get("/no-such-page"))
    record("POST changing the session", client.post(
        "/logout", data={"csrf_token": csrf_from(page)}, headers={"X-Request-ID": REQUEST_ID}))
    record("after logout", get("/login"))
    login(client, world.customer.email)
    page = get("/bookings").get_data(as_text=True)
    client.set_cookie("remember_token", "from-another-app")  # logout clears it (Flask-Login)
    record("logout with a remember cookie", client.post(
        "/logout", data={"csrf_token": csrf_from(page)}, headers={"X-Request-ID": REQUEST_ID}))
    return out


@pytest.fixture
def plain_app(app, monkeypatch):
    """The same app through Flask's Response class, Flask's session interface and
    Flask-Login's own remember-cookie hook."""
    monkeypatch.setattr(app, "response_class", Response)
    monkeypatch.setattr(app, "session_interface", SecureCookieSessionInterface())
    hooks = app.after_request_funcs[None]
    kept = next(hook for hook in hooks if hook.__name__ == "_update_remember_cookie")
    monkeypatch.setitem(app.after_request_funcs, None, [
        login_manager._update_remember_cookie if hook is kept else hook for hook in hooks])
    return app


def _comparable(answers):
    """Without what differs between any two runs: the static file's dates and ETag, lengths
    (a page's CSRF token has no fixed length), and the tokens in the bodies."""
    out = []
    for label, status, headers, body in answers:
        headers = [(name, None if name in ("Date", "Last-Modified", "ETag", "Content-Length")
                    else value) for name, value in headers]
        body = re.sub(rb'(csrf_token"[^>]*value="|"X-CSRFToken": ")[^"]+', rb"\1<token>", body)
        out.append((label, status, headers, body))
    return out


@pytest.mark.parametrize("path", ["kept", "plain"])
def test_answers_are_as_pinned(app, world, request, path):
    """Both paths give the pinned statuses and headers."""
    answers = _comparable(_answers(request.getfixturevalue("plain_app") if path == "plain"
                                   else app, world))
    assert {label: (status, headers) for label, status, headers, _ in answers} == PINNED


@pytest.mark.parametrize("status, headers, body", [
    (200, {}, "Hello"), (404, {}, "Not here"), (302, {"Location": "/bookings?x=ü"}, ""),
    (201, {"Content-Location": "/ü"}, "made"), (204, {}, ""), (304, {"ETag": "x"}, ""),
    (101, {}, ""), (200, {"location": "/lower"}, "x")])
def test_wsgi_headers_are_werkzeugs(app, status, headers, body):
    environ = {"wsgi.url_scheme": "http", "SERVER_NAME": "localhost", "SERVER_PORT": "80",
               "HTTP_HOST": "localhost", "REQUEST_METHOD": "GET", "PATH_INFO": "/page"}
    for streamed in (False, True):
        content = iter([body.encode()]) if streamed else body
        kept = KeptResponse(content, status, headers).get_wsgi_headers(environ).to_wsgi_list()
        content = iter([body.encode()]) if streamed else body
        assert kept == Response(content, status, headers).get_wsgi_headers(environ).to_wsgi_list()


@pytest.mark.parametrize("kwargs", [
    {}, {"headers": None}, {"headers": {}}, {"headers": {"Content-Type": "text/csv"}},
    {"mimetype": "text/plain"}, {"content_type": "application/json"},
    {"headers": [("X-A", "1")]}, {"status": 404}, {"direct_passthrough": True}])
def test_new_answers_are_werkzeugs(app, kwargs):
    kept, plain = KeptResponse("body", **kwargs), Response("body", **kwargs)
    assert kept.headers.to_wsgi_list() == plain.headers.to_wsgi_list()
    assert (kept.status, kept.get_data(), kept.direct_passthrough) == (
        plain.status, plain.get_data(), plain.direct_passthrough)


@pytest.mark.parametrize("headers", [
    [], [("Content-Type", "text/html")], [("X-A", "1"), ("vary", "Cookie"), ("VARY", "x")],
    [("Content-Location", "/a"), ("location", "/b"), ("X-Request-Id", "r")]])
def test_header_names_are_the_lowercased_names(headers):
    assert [name for name in header_names(Headers(headers)) if name] == [
        name.lower() for name, _ in headers]


def test_a_views_own_request_id_is_replaced_and_cookie_vary_kept_once():
    """The request log replaces an X-Request-ID a view set (in its place, as Headers.set
    does); the session adds Cookie to a Vary that lacks it, once."""
    from flask import Flask, session

    from portal.web.app import request_log, session_cookie
    app = Flask("ids")
    app.secret_key = "s"
    session_cookie.init_app(app)
    request_log.init_app(app)

    @app.get("/own")
    def own():
        session.get("x")  # read: the answer varies on the cookie
        return "x", 200, [("X-Request-ID", "from-the-view"), ("Vary", "Accept"), ("X-B", "1")]

    response = app.test_client().get("/own", headers={"X-Request-ID": "abc"})
    assert response.headers.to_wsgi_list() == [  # as before these were made cheaper
        ("X-Request-ID", "abc"), ("Vary", "Accept, Cookie"), ("X-B", "1"),
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "1")]


def test_https_answers_carry_hsts_in_its_place(app, world, monkeypatch):
    """Over HTTPS (SESSION_COOKIE_SECURE) Strict-Transport-Security follows the other policies
    and comes before Cache-Control and Vary, as the hook always wrote it."""
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    client = app.test_client()
    security = ["X-Content-Type-Options", "Content-Security-Policy", "X-Frame-Options",
                "Referrer-Policy", "Cross-Origin-Opener-Policy", "Permissions-Policy",
                "Strict-Transport-Security"]
    public = client.get("/no-such-page", base_url="https://localhost")
    assert [name for name, _ in public.headers][2:] == [
        *security, "Vary", "X-Request-ID", "Set-Cookie"]
    assert public.headers["Set-Cookie"].endswith("; Secure; HttpOnly; Path=/; SameSite=Lax")
    token = make_token(app.config["SECRET_KEY"], "view", world.upcoming)
    personal = client.get(f"/l/{token}", base_url="https://localhost")
    assert [name for name, _ in personal.headers][2:] == [
        *security, "Cache-Control", "Vary", "X-Request-ID"]
