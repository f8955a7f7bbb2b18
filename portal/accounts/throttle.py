"""Counting failed logins, per account and per client address, in the limiter's storage.

Moving windows: a person locked out after five misses can try again when the oldest of them is
15 minutes old, not at a clock boundary. Only failures are counted; while either count is
full, even the right password is refused, so guessing gains nothing. The storage is the app's
limiter storage (memory: one server process; set the limiter's storage URI to share counts
between processes), which tests empty with limiter.reset().
"""
import math
import time

from flask import current_app
from limits import parse
from limits.strategies import MovingWindowRateLimiter

from ..errors import DomainError
from ..extensions import limiter

DEFAULTS = {"LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
            "LOGIN_LIMIT_PER_ADDRESS": "20 per 15 minutes",
            "RESET_REQUESTS_PER_ADDRESS": "5 per 15 minutes",
            "RESET_EMAILS_PER_ACCOUNT": "3 per hour"}


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.retry_after = retry_after


def _limit(key):
    return parse(current_app.config.get(key, DEFAULTS[key]))


def _window():
    return MovingWindowRateLimiter(limiter.storage)


def _counters(email, address):
    return [(_limit("LOGIN_LIMIT_PER_ACCOUNT"), "login-account", (email or "").strip().lower()),
            (_limit("LOGIN_LIMIT_PER_ADDRESS"), "login-address", address or "unknown")]


def wait_text(seconds):
    """'1 minute', '14 minutes': how long to wait, rounded up."""
    minutes = max(1, math.ceil(seconds / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def _seconds_left(window, item, scope, key):
    return max(1, int(window.get_window_stats(item, scope, key).reset_time - time.time()))


def check_login(email, address):
    """Raise TooManyAttempts when this account or address has no tries left."""
    window = _window()
    for item, scope, key in _counters(email, address):
        if not window.test(item, scope, key):
            wait = _seconds_left(window, item, scope, key)
            whom = "this account" if scope == "login-account" else "your network address"
            raise TooManyAttempts(
                f"Too many failed login attempts for {whom}. Try again in {wait_text(wait)}, "
                "or reset your password with “Forgot password”.", wait)


def record_failure(email, address):
    window = _window()
    for item, scope, key in _counters(email, address):
        window.hit(item, scope, key)


def clear_account(email):
    """A password set through an emailed link proves who they are: lift the account's lock."""
    item, scope, key = _counters(email, None)[0]
    _window().clear(item, scope, key)


def count_reset_request(address):
    """Count one forgot-password request from this address, or raise TooManyAttempts."""
    window, item = _window(), _limit("RESET_REQUESTS_PER_ADDRESS")
    if not window.hit(item, "reset-address", address or "unknown"):
        wait = _seconds_left(window, item, "reset-address", address or "unknown")
        raise TooManyAttempts("Too many reset requests from your network address. "
                              f"Try again in {wait_text(wait)}.", wait)


def may_send_reset(email):
    """Count one reset email for this account; False once the account has had its share
    (the forgot-password answer stays the same; nothing more is sent)."""
    return _window().hit(_limit("RESET_EMAILS_PER_ACCOUNT"), "reset-email",
                         (email or "").strip().lower())
