"""Counting failed logins, per account and per client address, in the shared limit store.

Moving windows: a person locked out after five misses can try again when the oldest of them is
15 minutes old, not at a clock boundary. Only failures are counted; while either count is
full, even the right password is refused, so guessing gains nothing. The counts live in the
database (portal/kernel/ratelimit.py), so they hold across every server process and machine.

Exact under concurrency: password_try takes the try (a slot in both counts, in one locked
transaction) before the password is checked, so eight guesses sent at once to several servers
check at most five passwords; a right password gives its slot back. The price: more logins to
one account at the same instant than its limit are refused until one of them is answered.
"""
import logging
from typing import Callable

from flask import current_app
from peewee import InterfaceError, OperationalError

from ..kernel import ratelimit
from ..kernel.errors import DomainError
from ..kernel.ratelimit import wait_text  # noqa: F401  (callers import it from here)

DEFAULTS = {"LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
            "LOGIN_LIMIT_PER_ADDRESS": "20 per 15 minutes",
            "RESET_REQUESTS_PER_ADDRESS": "5 per 15 minutes",
            "RESET_EMAILS_PER_ACCOUNT": "3 per hour"}

log = logging.getLogger(__name__)


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.retry_after = retry_after


def _rate(name):
    return current_app.config.get(name, DEFAULTS[name])


def _account(email):
    return (email or "").strip().lower()


def _counters(email, address):
    return [("login-account", _account(email), _rate("LOGIN_LIMIT_PER_ACCOUNT")),
            ("login-address", address or "unknown", _rate("LOGIN_LIMIT_PER_ADDRESS"))]


def _locked_out(scope, wait):
    whom = "this account" if scope == "login-account" else "your network address"
    return TooManyAttempts(
        f"Too many failed login attempts for {whom}. Try again in {wait_text(wait)}, "
        "or reset your password with “Forgot password”.", wait)


def password_try(email: str, address: str | None, check: Callable[[], bool]) -> bool:
    """Check a password as one counted try: take the try (raise TooManyAttempts when the
    account or the address has none left), run `check`, and give the try back only when it
    returned True. A wrong password, or a check that raised, keeps it counted."""
    verdict = ratelimit.hit_all(_counters(email, address))
    if not verdict.allowed:
        raise _locked_out(verdict.refused, verdict.retry_after)
    right = False
    try:
        right = bool(check())
    finally:
        if right:
            _give_back(verdict.hit_ids)
    return right


def _give_back(hit_ids):
    try:
        ratelimit.release(hit_ids)
    except (OperationalError, InterfaceError):
        # The store went away mid-request: the try stays counted (errs on the safe side).
        log.warning("could not give back a login try; it counts until it expires")


def clear_account(email):
    """A password set through an emailed link proves who they are: lift the account's lock."""
    ratelimit.clear("login-account", _account(email))


def count_reset_request(address):
    """Count one forgot-password request from this address, or raise TooManyAttempts."""
    verdict = ratelimit.hit("reset-address", address or "unknown",
                            _rate("RESET_REQUESTS_PER_ADDRESS"))
    if not verdict.allowed:
        raise TooManyAttempts("Too many reset requests from your network address. "
                              f"Try again in {wait_text(verdict.retry_after)}.",
                              verdict.retry_after)


def may_send_reset(email):
    """Count one reset email for this account; False once the account has had its share
    (the forgot-password answer stays the same; nothing more is sent)."""
    return ratelimit.hit("reset-email", _account(email), _rate("RESET_EMAILS_PER_ACCOUNT")).allowed
