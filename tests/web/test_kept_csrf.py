"""A CSRF token verified once is kept with the session secret it names
(portal/web/app/csrf_kept.py): the next POST sending it is let through only while the session
still holds that secret, under the same key, with no time limit; everything else is checked
by Flask-WTF as before and refused with its 400."""
from tests.support.account_helpers import _push_request_context  # noqa: F401 (a browser each)
from tests.support.forms import csrf_from, login

from flask import request

from portal.extensions import csrf


WORLD = []


def logged_in(app, world):
    WORLD[:] = [world]
    browser = app.test_client()
    login(browser, world.customer.email)
    return browser, csrf_from(browser.get("/bookings").get_data(as_text=True))


def post_as(browser, token, header=False):
    """A cancel POST with a made-up reason: when let through, the confirm step again (422),
    and nothing changes."""
    url = f"/bookings/{WORLD[0].upcoming.ref}/cancel"
    if header:  # as htmx sends it
        return browser.post(url, data={"reason": "x"},
                            headers={"X-CSRFToken": token, "HX-Request": "true"}).status_code
    return browser.post(url, data={"reason": "x", "csrf_token": token}).status_code


def test_a_kept_token_serves_its_session_again(app, world):
    browser, token = logged_in(app, world)
    assert post_as(browser, token) == 422
    assert (app.secret_key, token) in csrf.verified
    assert post_as(browser, token) == 422 and post_as(browser, token, header=True) == 422


def test_a_kept_token_is_refused_for_another_session(app, world):
    first, token = logged_in(app, world)
    assert post_as(first, token) == 422  # verified and kept
    second, _ = logged_in(app, world)
    assert post_as(second, token) == 400
    assert post_as(second, token, header=True) == 400


def test_a_kept_token_is_refused_once_the_session_secret_changes(app, world):
    browser, token = logged_in(app, world)
    assert post_as(browser, token) == 422
    with browser.session_transaction() as session:
        session["csrf_token"] = "f" * 40  # a new secret, as after logging in again
    assert post_as(browser, token) == 400


def test_a_kept_token_is_refused_once_the_key_changes(app, world):
    browser, token = logged_in(app, world)
    assert post_as(browser, token) == 422
    app.config["WTF_CSRF_SECRET_KEY"] = "another-secret"
    try:
        assert post_as(browser, token) == 400
    finally:
        del app.config["WTF_CSRF_SECRET_KEY"]


def test_with_a_time_limit_every_token_is_checked_in_full(app, world):
    browser, token = logged_in(app, world)
    assert post_as(browser, token) == 422
    app.config["WTF_CSRF_TIME_LIMIT"] = -1  # every token is past it
    try:
        assert post_as(browser, token) == 400
    finally:
        app.config["WTF_CSRF_TIME_LIMIT"] = None


def test_a_forged_or_missing_token_is_refused_and_never_kept(app, world):
    browser, token = logged_in(app, world)
    forged = token[:-3] + ("abc" if token[-3:] != "abc" else "xyz")
    for _ in range(2):
        assert post_as(browser, forged) == 400
        assert post_as(browser, "") == 400
    assert (app.secret_key, forged) not in csrf.verified


def test_without_the_setting_flask_wtfs_hour_applies_and_nothing_is_kept(app, world):
    limit = app.config.pop("WTF_CSRF_TIME_LIMIT")
    try:
        browser, token = logged_in(app, world)  # the login form's token isn't kept either
        assert post_as(browser, token) == 422
        assert (app.secret_key, token) not in csrf.verified
    finally:
        app.config["WTF_CSRF_TIME_LIMIT"] = limit


def test_a_prefixed_field_carries_the_token_and_exempt_views_need_none(app, world):
    """Read as Flask-WTF reads it: `{prefix}-csrf_token` when there is no plain field, and
    nothing asked of a view exempted (the health checks)."""
    browser, token = logged_in(app, world)
    url = f"/bookings/{WORLD[0].upcoming.ref}/cancel"
    assert browser.post(url, data={"reason": "x", "other-csrf_token": token}).status_code == 422
    assert browser.post(url, data={"reason": "x", "other-csrf_token": ""}).status_code == 400
    with app.test_request_context("/healthz"):  # (its blueprint is exempted)
        assert csrf._exempt_view(app, request)
    with app.test_request_context(url, method="POST"):
        assert not csrf._exempt_view(app, request)


def test_the_templates_token_is_flask_wtfs_for_the_whole_request(app, monkeypatch):
    """csrf_token() in templates (page_kit.KeptCsrfTokens): its first answer in a request is
    what Flask-WTF hands out for the rest of it, every later ask read from there."""
    from flask import g
    from flask_wtf.csrf import generate_csrf

    from portal.web.app.page_kit import CSRF_TOKENS
    for limit in (None, 3600):
        monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", limit)
        with app.test_request_context("/"):
            first = CSRF_TOKENS()
            assert g.csrf_token == first
            assert CSRF_TOKENS() == first == generate_csrf() == CSRF_TOKENS()
        with app.test_request_context("/"):
            g.csrf_token = "already made"
            assert CSRF_TOKENS() == "already made" == generate_csrf()
