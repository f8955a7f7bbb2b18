"""Signed, expiring, single-use account links: an invitation or a password reset.

The emailed token is an itsdangerous signature (salt per purpose, so an invitation never opens
the reset page or the other way round) over the customer, a random secret and the expiry. The
secret's SHA-256 is an AccountToken row: the row is what makes a link single-use. Redeeming
locks that row inside write_transaction(), so of two submissions racing with one link exactly
one finds it unused (SQLite: BEGIN IMMEDIATE serialises them; PostgreSQL: SELECT ... FOR
UPDATE makes the second wait, then re-read the row the first one marked used).
"""
import hashlib
import secrets
from datetime import timedelta, timezone

from flask import current_app
from flask_babel import gettext
from itsdangerous import BadSignature, URLSafeSerializer

from ..kernel.db import locked
from ..kernel.errors import DomainError
from ..kernel.i18n import N_
from ..people import Customer
from .models import INVITE, PURPOSES, RESET, AccountToken

# Config key and default lifetime per purpose.
LIFETIMES = {INVITE: ("INVITE_LINK_HOURS", 7 * 24), RESET: ("RESET_LINK_HOURS", 1)}
ASK_AGAIN = N_("Ask for a new link with “Forgot password” on the login page.")


def _then_ask(said):
    """What is wrong with a link, then how to get another, in the reader's language."""
    return f"{said} {gettext(ASK_AGAIN)}"


class TokenInvalid(DomainError):
    status = 404
    code = "token_invalid"


class TokenGone(DomainError):
    """Used or expired: it was a real link once."""
    status = 410
    code = "token_gone"


def lifetime(purpose):
    key, default = LIFETIMES[purpose]
    return timedelta(hours=float(current_app.config.get(key, default)))


def _serializer(purpose):
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"rebook-account-{purpose}")


def _digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def _epoch(dt):
    return int(dt.replace(tzinfo=timezone.utc).timestamp())


def issue(customer, purpose, now):
    """A new link token for `customer`; stores its row (in the caller's transaction)."""
    secret = secrets.token_urlsafe(24)
    expires_at = (now + lifetime(purpose)).replace(microsecond=0)
    row = AccountToken.create(customer=customer.id, purpose=purpose, token_hash=_digest(secret),
                              expires_at=expires_at, created_at=now)
    token = _serializer(purpose).dumps({"c": customer.id, "s": secret, "e": _epoch(expires_at)})
    return token, row


def decoy(purpose):
    """Sign a token that is never stored: the same work as issue() for an unknown address."""
    secret = secrets.token_urlsafe(24)
    _digest(secret)
    return _serializer(purpose).dumps({"c": 0, "s": secret, "e": 0})


def _unsigned(purpose, token):
    """(customer_id, secret hash) from a token whose signature holds, or TokenInvalid."""
    try:
        data = _serializer(purpose).loads(token)
        customer_id, secret, expires = int(data["c"]), str(data["s"]), int(data["e"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise TokenInvalid(_then_ask(gettext(
            "This link is not valid. It may have been copied incompletely."))) from None
    return customer_id, _digest(secret), expires


def _check(row, now):
    if row.used_at is not None:
        raise TokenGone(gettext("This link has already been used. If you set your password "
                                "with it, log in; otherwise ask for a new link with “Forgot "
                                "password” on the login page."), "token_used")
    if row.expires_at <= now:
        raise TokenGone(_then_ask(gettext("This link has expired.")), "token_expired")
    return row


def _query(purpose, customer_id, digest):
    return (AccountToken.select(AccountToken, Customer).join(Customer)
            .where((AccountToken.token_hash == digest) & (AccountToken.purpose == purpose)
                   & (AccountToken.customer == customer_id)))


def read(purpose, token, now):
    """The unused, unexpired AccountToken (with its customer) a link names; never changes it."""
    customer_id, digest, expires = _unsigned(purpose, token)
    row = _query(purpose, customer_id, digest).get_or_none()
    if row is None:
        if _epoch(now) >= expires:
            raise TokenGone(_then_ask(gettext("This link has expired.")), "token_expired")
        raise TokenInvalid(_then_ask(gettext("This link is no longer valid.")))
    return _check(row, now)


def redeem(purpose, token, now):
    """Lock and check the link's row; call inside write_transaction(), then mark it used."""
    customer_id, digest, _ = _unsigned(purpose, token)
    row = locked(_query(purpose, customer_id, digest)).get_or_none()
    if row is None:
        raise TokenInvalid(_then_ask(gettext("This link is no longer valid.")))
    return _check(row, now)


def void_open(customer_id, now):
    """Use up every open link of a customer: a new password makes older links worthless."""
    return (AccountToken.update(used_at=now)
            .where((AccountToken.customer == customer_id) & AccountToken.used_at.is_null())
            .execute())
