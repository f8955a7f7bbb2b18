"""The request frame's kept parts, each beside the library's own path: the URL adapter
(portal/web/app/url_adapter.py), answers made in one step, the app's redirect and the body
handed to the server (answers.py)."""
import pytest
from flask import Response

from portal.web.app.answers import Response as KeptResponse

ENVIRON = {"wsgi.url_scheme": "http", "SERVER_NAME": "localhost", "SERVER_PORT": "80",
           "HTTP_HOST": "localhost", "REQUEST_METHOD": "POST", "PATH_INFO": "/page"}


# Each request's URL adapter (portal/web/app/url_adapter.py) ------------------------------------

ADAPTER_ENVIRONS = [
    {}, {"HTTP_HOST": "Example.COM:8080"}, {"wsgi.url_scheme": "https", "HTTP_HOST": "a.b:443"},
    {"HTTP_HOST": None, "SERVER_NAME": "::1", "SERVER_PORT": "8000"},
    {"HTTP_HOST": None, "SERVER_NAME": "srv", "SERVER_PORT": "80"},
    {"HTTP_HOST": "b\u00fccher.example"}, {"HTTP_HOST": "bad host/x"},
    {"HTTP_CONNECTION": "keep-alive, Upgrade", "HTTP_UPGRADE": "websocket"},
    {"PATH_INFO": "/bookings/\u00c3\u00bc", "QUERY_STRING": "q=\u00c3\u00a9&x=1"},
    {"SCRIPT_NAME": "/app", "PATH_INFO": "/x", "QUERY_STRING": ""},
    {"PATH_INFO": "/a%20b", "REQUEST_METHOD": "POST"}]


@pytest.mark.parametrize("environ", ADAPTER_ENVIRONS)
def test_a_kept_url_adapter_is_flasks(app, environ):
    """The adapter and request.host each request gets, the first time and from what was kept,
    are the ones Flask's own create_url_adapter makes for the same environ."""
    from flask import Flask
    from werkzeug.test import EnvironBuilder

    def made(create):
        base = EnvironBuilder("/page", headers={"Host": "localhost"}).get_environ()
        base.update(environ)
        base = {k: v for k, v in base.items() if v is not None}
        request = app.request_class(base)
        adapter = create(request)
        return request.host, {k: v for k, v in vars(adapter).items()}

    flasks = made(lambda request: Flask.create_url_adapter(app, request))
    for _ in range(3):
        assert made(app.create_url_adapter) == flasks


def test_trusted_hosts_and_server_name_are_flasks(app, monkeypatch):
    """With TRUSTED_HOSTS or SERVER_NAME set every request is Flask's: an untrusted host is
    its routing exception (a 400), SERVER_NAME the adapter's server name."""
    from werkzeug.exceptions import SecurityError
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["localhost"])
    for _ in range(2):
        with app.test_request_context("/login", headers={"Host": "evil.example"}) as ctx:
            assert ctx.url_adapter is None
            assert isinstance(ctx.request.routing_exception, SecurityError)
        with app.test_request_context("/login") as ctx:
            assert ctx.url_adapter.server_name == "localhost"
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", None)
    monkeypatch.setitem(app.config, "SERVER_NAME", "rebook.example")
    with app.test_request_context("/login", headers={"Host": "other.example"}) as ctx:
        assert ctx.url_adapter.server_name == "rebook.example"


# Answers made in one step, and the app's redirect (portal/web/app/answers.py) ---------------

def _whole(response):
    return (response.status, response.status_code, response.headers.to_wsgi_list(),
            response.response, response.direct_passthrough, response._on_close,
            response.get_data())


@pytest.mark.parametrize("body", ["", "Hello", "caf\u00e9 \u2028", b"\x00bytes", "x" * 5000])
@pytest.mark.parametrize("status", [None, 200, 201, 204, 302, 404, 418, 599, 999])
def test_an_answer_made_in_one_step_is_werkzeugs(app, body, status):
    """Everything a text or bytes body and a status code make, as Flask's Response makes it
    (the status line the second time from what was kept)."""
    for _ in range(2):
        for direct in (False, True):
            assert _whole(KeptResponse(body, status, direct_passthrough=direct)) == \
                _whole(Response(body, status, direct_passthrough=direct))


@pytest.mark.parametrize("location", [
    "/bookings/AB12CD", "/login?next=%2Fbookings&x=1", "/a\"b'<c>", "https://example.com/x?a=1",
    "/\u00fc", "", "/x?a=1&b=2"])
@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_the_apps_redirect_is_werkzeugs(app, location, code):
    from werkzeug.utils import redirect
    assert _whole(app.redirect(location, code)) == \
        _whole(redirect(location, code, Response=KeptResponse))
    assert _whole(app.redirect(location, code)) == _whole(redirect(location, code))
    with pytest.raises(ValueError):  # werkzeug's refusal of a header value
        app.redirect(location + "\n", code)


@pytest.mark.parametrize("method", ["GET", "POST", "HEAD"])
@pytest.mark.parametrize("status", [200, 204, 302, 304, 404, 101, 50])
def test_what_the_server_is_handed_is_werkzeugs(method, status):
    """The body the WSGI server iterates, whether handed over as the answer's own list or
    through werkzeug's closing iterator: the same bytes (and close() nothing to do)."""
    env = dict(ENVIRON, REQUEST_METHOD=method)
    for body in ("Hello", b"", ["a", b"b"]):
        kept, plain = KeptResponse(body, status), Response(body, status)
        assert list(kept.get_app_iter(env)) == list(plain.get_app_iter(env))
    closed = []
    kept = KeptResponse("x", status)
    kept.call_on_close(lambda: closed.append(True))
    app_iter = kept.get_app_iter(env)
    list(app_iter)
    app_iter.close()
    assert closed == [True]


# return_to's `next`, read without parsing an empty query string (app/return_to.py) ---------------

NEXT_QUERIES = ["", None, "next=/admin/bookings", "%6Eext=/admin/bookings?page=2", "a=1",
                "next", "next=&next=/admin/today", "x=1&next=%2Fadmin%2Ftoday"]
NEXT_FORMS = [{}, {"next": "/admin/today"}, {"next": ""}, {"other": "/admin/bookings"}]


@pytest.mark.parametrize("query", NEXT_QUERIES)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_first_next_is_request_values(app, query, method):
    """The `next` return_to reads is request.values.get("next") for every query string (an
    absent or empty one included) and form."""
    from flask import request

    from portal.web.app.return_to import _first_next
    for form in NEXT_FORMS:
        overrides = {} if query is None else {"QUERY_STRING": query}
        with app.test_request_context("/bookings/X/cancel", method=method, data=form,
                                      environ_overrides=overrides):
            if query is None:
                request.environ.pop("QUERY_STRING", None)
            expected = request.values.get("next") if method != "GET" else request.args.get("next")
            with app.test_request_context("/bookings/X/cancel", method=method, data=form,
                                          environ_overrides=overrides) as fresh:
                if query is None:
                    fresh.request.environ.pop("QUERY_STRING", None)
                assert _first_next(fresh.request) == expected, (query, form)
