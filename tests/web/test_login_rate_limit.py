"""Login limits: five misses per account and twenty per client address in 15 minutes; then a
429 that says why and when, even for the right password. Successes are never counted."""
import time

from tests.support.account_helpers import _push_request_context, browser, log_in  # noqa: F401

ACCOUNT_LIMITED = ("Too many failed login attempts for this account. Try again in 15 minutes, "
                   "or reset your password with “Forgot password”.")
ADDRESS_LIMITED = "Too many failed login attempts for your network address."


def miss(client, email, times):
    for _ in range(times):
        response = log_in(client, email, "not the password")
        assert response.status_code == 422
        assert "don&#39;t match an account" in response.get_data(as_text=True)


def test_five_misses_lock_the_account_even_for_the_right_password(app, world):
    client = browser(app)
    miss(client, world.customer.email, 5)
    response = log_in(client, world.customer.email)  # the right password
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert ACCOUNT_LIMITED in html
    assert 890 <= int(response.headers["Retry-After"]) <= 900
    assert client.get("/bookings").status_code == 302  # not logged in
    # From anywhere: the lock is on the account (whatever case the address is typed in).
    assert log_in(browser(app, "10.9.9.9"), "Customer@Example.com").status_code == 429


def test_a_locked_account_leaves_other_accounts_alone(app, world):
    client = browser(app)
    miss(client, world.customer.email, 5)
    assert log_in(client, world.other.email).status_code == 302


def test_successful_logins_are_not_counted(app, world):
    for _ in range(8):
        assert log_in(browser(app), world.customer.email).status_code == 302
    client = browser(app)
    miss(client, world.customer.email, 4)
    assert log_in(client, world.customer.email).status_code == 302


def test_twenty_misses_from_one_address_lock_that_address(app, world):
    client = browser(app, "10.0.0.7")
    for i in range(20):
        miss(client, f"guess{i}@example.com", 1)  # a different account each time
    response = log_in(client, world.customer.email)
    assert response.status_code == 429
    assert ADDRESS_LIMITED in response.get_data(as_text=True)
    assert "Try again in 15 minutes" in response.get_data(as_text=True)
    assert log_in(browser(app, "10.0.0.8"), world.customer.email).status_code == 302


def test_staff_logins_are_limited_too(app, world):
    client = browser(app)
    miss(client, world.admin.email, 5)
    response = log_in(client, world.admin.email)
    assert response.status_code == 429 and ACCOUNT_LIMITED in response.get_data(as_text=True)


def test_the_limits_are_settings_and_the_window_moves_on(app, world):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 2 seconds"
    try:
        client = browser(app)
        miss(client, world.customer.email, 2)
        response = log_in(client, world.customer.email)
        assert response.status_code == 429
        assert "Try again in 1 minute," in response.get_data(as_text=True)
        time.sleep(2.1)
        assert log_in(client, world.customer.email).status_code == 302
    finally:
        del app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def test_a_blank_form_is_not_an_attempt(app, world):
    client = browser(app)
    for _ in range(6):
        response = log_in(client, world.customer.email, "")
        assert response.status_code == 422
        assert "Enter your password." in response.get_data(as_text=True)
    assert log_in(client, world.customer.email).status_code == 302
