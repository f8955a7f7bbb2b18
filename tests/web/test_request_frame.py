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
