"""Passwords: logging in under the limits, setting one by emailed link, changing, resetting.

Every new password bumps the customer's session_epoch and deletes their login sessions, which
ends every session made before; the caller starts a new one for the browser that set it.
A miss costs the same time whether or not the address has an account (people.authenticate
checks a dummy hash when there is none).
"""
import time

from flask import current_app
from flask_babel import gettext
from peewee import fn
from werkzeug.security import generate_password_hash

from .. import audit
from ..kernel.actors import Actor
from ..kernel.clock import utcnow
from ..kernel.db import database, locked, write_transaction
from ..kernel.errors import InvalidInput, NotFound
from ..people import Customer, authenticate
from ..people.contact_details import EMAIL_MAX
from . import sessions, throttle, tokens
from .invitations import queue_reset, render_decoy
from .models import INVITE, RESET
from .password_rules import check_new_password

ACTIONS = {INVITE: "password_set_by_invitation", RESET: "password_reset"}


def log_in(email, password, address):
    """The person with these credentials, None for a miss (counted), or TooManyAttempts."""
    person = None

    def right():
        nonlocal person
        person = authenticate(email, password)
        return person is not None

    throttle.password_try(email, address, right)
    return person


def _actor(customer):
    return Actor("customer", customer.id, customer.name)


def _store(customer, password_hash, now):
    """The new hash and epoch, no session left from before, and no older link left that could
    set another one."""
    (Customer.update(password_hash=password_hash, session_epoch=Customer.session_epoch + 1)
     .where(Customer.id == customer.id).execute())
    sessions.end_all(customer)
    tokens.void_open(customer.id, now)
    return Customer.get_by_id(customer.id)


def set_password_with_link(purpose, token, password, confirm, now=None):
    """Redeem an invitation or reset link: the new password, the link used; returns the
    customer (with the new epoch). TokenInvalid / TokenGone / InvalidInput change nothing."""
    now = now or utcnow()
    customer = tokens.read(purpose, token, now).customer
    check_new_password(password, confirm, customer.email)
    # Hashing is deliberately slow: do it before taking the write lock.
    password_hash = generate_password_hash(password)
    with write_transaction():
        row = tokens.redeem(purpose, token, now)
        customer = _store(row.customer, password_hash, now)  # marks this link used, too
        audit.record("customer", customer.id, ACTIONS[purpose], _actor(customer), "email_link",
                     at=now)
    throttle.clear_account(customer.email)
    return customer


def change_password(customer_id, current, password, confirm, address, now=None):
    """A logged-in customer's new password; wrong current passwords count as failed logins."""
    now = now or utcnow()
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise NotFound("We couldn't find your account. Log in again.")
    if not throttle.password_try(customer.email, address,
                                 lambda: customer.check_password(current or "")):
        raise InvalidInput(gettext("That isn't your current password."), "current_password")
    check_new_password(password, confirm, customer.email)
    if customer.check_password(password):
        raise InvalidInput(gettext("That is your current password. Choose a new one."),
                           "password")
    password_hash = generate_password_hash(password)
    with write_transaction():
        locked(Customer.select().where(Customer.id == customer_id)).get()
        customer = _store(customer, password_hash, now)
        audit.record("customer", customer.id, "password_changed", _actor(customer), "portal",
                     at=now)
    return customer


def request_reset(email, address, now=None):
    """Queue a reset link if `email` is a customer's login; the same work (and no sign of
    which it was) either way. Returns nothing on purpose; TooManyAttempts per address."""
    started, now = time.monotonic(), now or utcnow()
    throttle.count_reset_request(address)
    email = (email or "").strip().lower()[:EMAIL_MAX]
    with write_transaction():
        customer = Customer.get_or_none(fn.LOWER(Customer.email) == email)
        if customer is not None and throttle.may_send_reset(email):
            queue_reset(customer, now)
        else:
            render_decoy(now)
    # Only the known address writes (a token and an email), which costs a few milliseconds
    # more; answering no sooner than a fixed time hides that. SQLite also checkpoints its
    # write-ahead log when the last connection closes after a write: close now, inside the
    # floor, not at the end of the request (the page reconnects if it needs to).
    if not database.in_transaction():
        database.close()
    floor = float(current_app.config.get("FORGOT_PASSWORD_MIN_SECONDS", 0.25))
    time.sleep(max(0.0, started + floor - time.monotonic()))
