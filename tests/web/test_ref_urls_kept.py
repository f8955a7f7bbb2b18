"""A booking's URL from the one kept around its ref (portal/web/app/ref_urls.py) beside Flask's
url_for: under a script name (a server mounting the app under a prefix), other hosts and
schemes, with refs quote() would change, and with URL defaults; and the cancel POST's redirect."""
import pytest
from flask import url_for

from portal.web.app.ref_urls import ref_url
from tests.support.cancelling import token

ENDPOINTS = ["customer.bookings.show", "customer.bookings.cancel", "admin.bookings.show",
             "fieldworker.jobs.show", "customer.orders.cancel"]
REFS = ["BK7Q2M", "a-b_c.d~e", "rebookrefmark", "x rebookrefmark", "a b", "a/b", "a%2Fb",
        "x?y=1#z", "caf\u00e9", "\u00fc", "+&=", "1"]
PLACES = [
    {}, {"SCRIPT_NAME": "/app"}, {"SCRIPT_NAME": "/my app/"}, {"SCRIPT_NAME": "/rebookrefmark"},
    {"SCRIPT_NAME": "/b\u00c3\u00bccher"},  # a WSGI (latin-1) string: /bücher
    {"wsgi.url_scheme": "https", "HTTP_HOST": "rebook.example:8443"},
    {"HTTP_HOST": "other.example", "SCRIPT_NAME": "/x"}]


@pytest.mark.parametrize("environ", PLACES)
def test_kept_ref_urls_are_url_fors(app, environ):
    """The first call (which keeps the pattern) and the later ones give url_for's text for
    every endpoint and ref, each place (script name, host, scheme) with its own pattern,
    places taken in turn so a pattern kept for one would show in another."""
    for _ in range(2):
        for place in (environ, {}):
            with app.test_request_context("/bookings", environ_overrides=place):
                for endpoint in ENDPOINTS:
                    for ref in REFS:
                        assert ref_url(endpoint, ref) == url_for(endpoint, ref=ref), (
                            place, endpoint, ref)


def test_url_defaults_and_no_request_are_url_fors(app):
    """With a URL default function (which may add to any URL) each URL is url_for's own."""
    with app.test_request_context("/bookings", environ_overrides={"SCRIPT_NAME": "/p"}):
        assert ref_url("customer.bookings.show", "BK1") == "/p/bookings/BK1"
    app.url_default_functions.setdefault(None, []).append(
        lambda endpoint, values: values.setdefault("lang", "de"))
    try:
        with app.test_request_context("/bookings", environ_overrides={"SCRIPT_NAME": "/p"}):
            assert ref_url("customer.bookings.show", "BK1") == "/p/bookings/BK1?lang=de" \
                == url_for("customer.bookings.show", ref="BK1")
    finally:
        app.url_default_functions[None].pop()
    with app.app_context():  # no request: url_for's own
        assert ref_url("customer.bookings.show", "BK1") == url_for(
            "customer.bookings.show", ref="BK1")


def test_the_pattern_is_kept_on_the_app(app):
    """Kept on the app (tests run several apps in one process): the URL around the ref."""
    with app.test_request_context("/bookings"):
        ref_url("customer.bookings.show", "BK1")
        place = app.extensions["rebook.kept_urls"].place()
    assert app.extensions["rebook.ref_urls"][("customer.bookings.show", place)] == (
        "/bookings/", "")


def test_plain_cancel_post_redirects_under_a_script_name(customer_client, world, app):
    """The cancel POST's Location under a prefix is url_for's for that prefix."""
    ref = world.upcoming.ref
    response = customer_client.post(
        f"/bookings/{ref}/cancel", environ_overrides={"SCRIPT_NAME": "/portal"},
        data={"version": world.upcoming.version,
              "csrf_token": token(customer_client, world.upcoming)})
    assert response.status_code == 302
    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/portal"}):
        assert response.headers["Location"] == url_for("customer.bookings.show", ref=ref) \
            == f"/portal/bookings/{ref}"
