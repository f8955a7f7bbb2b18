"""A changed session is written by portal/web/app/session_cookie.py exactly as Flask writes
it: the same JSON for every kind of value, a cookie Flask's own session reads and the other
way round (workers of the old and new code side by side during a deploy), and the flash
message after a cancel arrives on the next page."""
import uuid
from datetime import datetime

import pytest
from flask.sessions import SecureCookieSessionInterface, session_json_serializer
from markupsafe import Markup

from portal.web.app.session_cookie import QuickTags
from tests.support.account_helpers import _push_request_context  # noqa: F401 (a browser each)
from tests.support.forms import csrf_from

VALUES = [
    {"_fresh": True, "_id": "ab" * 64, "_user_id": "customer:x", "csrf_token": "f" * 40,
     "_flashes": [("success", "Your booking is cancelled. \u00e9 \u2028 <b>")]},
    {"a": (1, 2, [3, (4,)]), "b": None, "c": 1.5, "d": {"x": b"bytes"}},
    {" t": [1]}, {"x": {" t": 1}}, {"x": {" di": {"y": 1}}}, {"m": Markup("<b>")},
    {"d": datetime(2026, 1, 2, 3, 4, 5)}, {"u": uuid.UUID(int=7)}, {1: "an int key"},
    {"e": {}}, {"l": []}, {"t": ()}, {"nested": {"a": {"b": [True, False, 0, -1]}}},
]


@pytest.mark.parametrize("value", VALUES)
def test_session_json_is_flasks(app, value):
    with app.app_context():
        mine = QuickTags().dumps(value)
        assert mine == session_json_serializer.dumps(value)
        assert QuickTags().loads(mine) == session_json_serializer.loads(mine)


def cookie_of(response):
    return response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]


def test_cookies_pass_between_flasks_session_and_ours(app, world):
    ours, flasks = app.session_interface, SecureCookieSessionInterface()
    value = VALUES[0]
    with app.test_request_context("/"):
        for writer, reader in ((ours, flasks), (flasks, ours)):
            session = writer.session_class(value)
            session.modified = True
            response = app.response_class()
            writer.save_session(app, session, response)
            assert "Cookie" in response.headers["Vary"]
            signed = cookie_of(response)
            assert reader.get_signing_serializer(app).loads(signed) == value
            # the same bytes as Flask's, bar the second it was signed in
            payload = signed.rsplit(".", 2)[0]
            assert payload == flasks.get_signing_serializer(app).dumps(value).rsplit(".", 2)[0]


def test_a_session_emptied_deletes_the_cookie(app):
    ours = app.session_interface
    with app.test_request_context("/"):
        session = ours.session_class({"a": 1})
        session.clear()
        response = app.response_class()
        ours.save_session(app, session, response)
        assert "Expires=Thu, 01 Jan 1970" in response.headers["Set-Cookie"]


def test_a_tampered_cookie_is_refused(app, world):
    browser = app.test_client()
    page = f"/bookings/{world.upcoming.ref}"
    token = csrf_from(browser.get("/login").get_data(as_text=True))
    browser.post("/login", data={"email": world.customer.email, "password": "demo",
                                 "csrf_token": token})
    assert browser.get(page).status_code == 200
    cookie = browser.get_cookie("session")
    browser.set_cookie("session", cookie.value[:-2] + ("AA" if cookie.value[-2:] != "AA"
                                                       else "BB"))
    assert browser.get(page).status_code == 302  # to the login page


def test_the_cancel_flash_arrives_on_the_next_page(app, customer_client, world):
    page = f"/bookings/{world.upcoming.ref}"
    token = csrf_from(customer_client.get(page).get_data(as_text=True))
    done = customer_client.post(f"{page}/cancel", data={
        "csrf_token": token, "version": world.upcoming.version})
    assert done.status_code == 302 and done.headers["Location"].endswith(page)
    assert "Vary" in done.headers and "Cookie" in done.headers["Vary"]
    shown = customer_client.get(page).get_data(as_text=True)
    assert "Your booking is cancelled." in shown
    assert "Your booking is cancelled." not in customer_client.get(page).get_data(as_text=True)


# The Set-Cookie header as a whole: the kept attributes around the value (session_cookie.py) and
# the one-pass signing (cookie_signing.py), beside Flask's own save_session.
COOKIE_SETTINGS = [
    {}, {"SESSION_COOKIE_SECURE": True},
    {"SESSION_COOKIE_DOMAIN": "Example.com:8000", "SESSION_COOKIE_PATH": "/a b;c",
     "SESSION_COOKIE_SAMESITE": "strict"},
    {"SESSION_COOKIE_HTTPONLY": False, "SESSION_COOKIE_SAMESITE": None,
     "SESSION_COOKIE_PARTITIONED": True, "APPLICATION_ROOT": "/root"},
    {"SESSION_COOKIE_NAME": "rebook_\u00fc"}, {"MAX_COOKIE_SIZE": 120}, {"MAX_COOKIE_SIZE": 0},
    {"permanent": True}]
WRITTEN = [VALUES[0], {"_flashes": [("info", "Your booking is cancelled. " * 30)]},  # zlib
           {"d": datetime(2026, 1, 2, 3, 4, 5), "m": Markup("<b>")}]


@pytest.mark.parametrize("value", WRITTEN)
@pytest.mark.parametrize("settings", COOKIE_SETTINGS)
def test_the_set_cookie_header_is_flasks(app, monkeypatch, settings, value):
    """Every header of an answer that writes the session, and any size warning, as Flask's
    SecureCookieSessionInterface gives them (the same second), each setting twice over (the
    second time from what was kept)."""
    import warnings
    from datetime import timezone

    import itsdangerous.timed
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: 1_790_000_000.5)
    monkeypatch.setattr(SecureCookieSessionInterface, "get_expiration_time",
                        lambda self, app, session: datetime(2027, 1, 1, tzinfo=timezone.utc)
                        if session.permanent else None)
    settings = dict(settings)
    permanent = settings.pop("permanent", False)
    for key, setting in settings.items():
        monkeypatch.setitem(app.config, key, setting)
    with app.test_request_context("/"):
        for _ in range(2):
            written = []
            for interface in (app.session_interface, SecureCookieSessionInterface()):
                session = interface.session_class(value)
                session.modified, session.permanent = True, permanent
                response = app.response_class("x")
                with warnings.catch_warnings(record=True) as warned:
                    warnings.simplefilter("always")
                    interface.save_session(app, session, response)
                written.append((response.headers.to_wsgi_list(),
                                [str(w.message) for w in warned]))
            assert written[0] == written[1]
