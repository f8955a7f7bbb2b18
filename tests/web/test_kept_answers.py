"""What the app keeps between requests to save CPU answers exactly as if it were worked out
afresh: the opened session cookie, the URLs templates build, the signed CSRF token
(portal/web/app/session_cookie.py, page_kit.py)."""
from datetime import timedelta

from tests.support.account_helpers import _push_request_context  # noqa: F401 (a browser each)
from tests.support.forms import csrf_from, login, logout


def test_a_kept_session_cookie_is_refused_once_the_key_changes(app, customer_client, world):
    page = f"/bookings/{world.upcoming.ref}"
    assert customer_client.get(page).status_code == 200  # the cookie is opened and kept
    key = app.secret_key
    app.secret_key = "another-secret"
    try:
        assert customer_client.get(page).status_code == 302  # to the login page
    finally:
        app.secret_key = key


def test_a_kept_session_cookie_is_refused_past_its_lifetime(app, customer_client, world):
    page = f"/bookings/{world.upcoming.ref}"
    assert customer_client.get(page).status_code == 200
    lifetime = app.permanent_session_lifetime
    app.permanent_session_lifetime = timedelta(seconds=-1)  # every cookie is past it
    try:
        assert customer_client.get(page).status_code == 302
    finally:
        app.permanent_session_lifetime = lifetime


def test_urls_follow_the_script_root(customer_client, world):
    page = f"/bookings/{world.upcoming.ref}"
    plain = customer_client.get(page).get_data(as_text=True)
    mounted = customer_client.get(page, base_url="http://localhost/shop").get_data(as_text=True)
    assert 'href="/bookings"' in plain and 'href="/shop/bookings"' not in plain
    assert 'href="/shop/bookings"' in mounted and 'href="/bookings"' not in mounted
    assert "/static/app.css?v=" in plain and "/shop/static/app.css?v=" in mounted


def test_the_csrf_token_is_the_sessions_own_and_works(app, world):
    browser, other_browser = app.test_client(), app.test_client()
    login(browser, world.customer.email)
    first = csrf_from(browser.get("/bookings").get_data(as_text=True))
    again = csrf_from(browser.get(f"/bookings/{world.upcoming.ref}").get_data(as_text=True))
    assert first == again  # no time limit: one signed token serves the whole session
    login(other_browser, world.customer.email)
    other = csrf_from(other_browser.get("/bookings").get_data(as_text=True))
    assert other != first  # another session, another secret
    assert other_browser.post("/logout", data={"csrf_token": first}).status_code == 400
    assert other_browser.post("/logout", data={"csrf_token": other}).status_code == 302
    logout(browser)


def test_an_unchanged_session_writes_no_cookie_and_a_changed_one_does(app, world):
    browser = app.test_client()
    page = f"/bookings/{world.upcoming.ref}"
    first = browser.post("/login", data={"email": world.customer.email, "password": "demo",
                                         "csrf_token": csrf_from(browser.get("/login").text)})
    assert first.status_code == 302 and "session=" in first.headers["Set-Cookie"]
    answer = browser.get(page)
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers
    assert answer.headers.getlist("Vary") == ["Cookie"]  # said once
    # An answer the security headers leave alone (a file) still varies by the session it read.
    assert browser.get("/static/app.css").headers.getlist("Vary") == ["Cookie"]
    logout(browser)
    assert browser.get(page).status_code == 302
