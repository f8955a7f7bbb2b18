"""Counting failed logins, per account and per client address, in the shared limit store.

Moving windows: a person locked out after five misses can try again when the oldest of them is
15 minutes old, not at a clock boundary. Only failures are counted; while either count is
full, even the right password is refused, so guessing gains nothing. The counts live in the
database (portal/ratelimit.py), so they hold across every server process and machine.

Exact under concurrency: in a request, check_login takes the try (a slot in both counts, in one
locked transaction) before the password is checked, so eight guesses sent at once to several
servers check at most five passwords. record_failure keeps the slot; if the request ends
without a failure (the password was right), the slot is given back.
"""
import logging

from flask import after_this_request, current_app, has_request_context, request
from peewee import InterfaceError, OperationalError

from .. import ratelimit
from ..errors import DomainError
from ..ratelimit import wait_text  # noqa: F401  (callers import it from here)

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


class _Try:
    """A login try taken by check_login and not yet known to have failed."""

    def __init__(self, email, address, hit_ids):
        self.who, self.hit_ids, self.failed = (_account(email), address), hit_ids, False

    def settle(self, response):
        if not self.failed:
            try:
                ratelimit.release(self.hit_ids)
            except (OperationalError, InterfaceError):
                # The store went away mid-request: the try stays counted (errs on the safe side).
                log.warning("could not give back a login try; it counts until it expires")
        return response


_TRIES = "rebook_login_tries"


def _open_tries():
    return request.environ.setdefault(_TRIES, [])


def check_login(email, address):
    """Raise TooManyAttempts when this account or address has no tries left; in a request,
    take the try (see the module's docstring)."""
    counters = _counters(email, address)
    if not has_request_context():
        for scope, key, rate in counters:
            wait = ratelimit.wait(scope, key, rate)
            if wait:
                raise _locked_out(scope, wait)
        return
    verdict = ratelimit.hit_all(counters)
    if not verdict.allowed:
        raise _locked_out(verdict.refused, verdict.retry_after)
    attempt = _Try(email, address, verdict.hit_ids)
    _open_tries().append(attempt)
    after_this_request(attempt.settle)


def record_failure(email, address):
    """Count a wrong password: keep the try check_login took, or take one now."""
    if has_request_context():
        for attempt in _open_tries():
            if attempt.who == (_account(email), address) and not attempt.failed:
                attempt.failed = True
                return
    ratelimit.hit_all(_counters(email, address))


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
