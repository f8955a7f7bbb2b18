"""Signed, expiring, single-purpose email action links.

A token names one booking and its customer, is signed with SECRET_KEY under a salt per purpose
(view, cancel, reschedule) so one purpose's token never opens another, and expires at the
booking's end time at the latest. It grants that one booking, never a login.
"""
from datetime import timezone
from functools import lru_cache

from flask_babel import gettext
from itsdangerous import BadSignature, URLSafeSerializer

from ..kernel.errors import DomainError

PURPOSES = ("view", "cancel", "reschedule")


class LinkInvalid(DomainError):
    status = 404
    code = "link_invalid"


class LinkExpired(LinkInvalid):
    status = 410
    code = "link_expired"


def _epoch(dt):
    return int(dt.replace(tzinfo=timezone.utc).timestamp())


def _serializer(secret, purpose):
    return _kept(secret, purpose)[0]


@lru_cache(maxsize=16)
def _kept(secret, purpose):
    """The serializer and its signer, kept per key and purpose: making them was half of
    signing a link, and the outbox worker signs one for nearly every email (neither holds
    state between uses)."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    serializer = URLSafeSerializer(secret, salt=f"rebook-link-{purpose}")
    return serializer, serializer.make_signer()


def make_token(secret, purpose, booking, expires_at=None):
    """A token for `purpose` on `booking`, valid until `expires_at` (default: its end)."""
    expires_at = min(expires_at or booking.ends_at, booking.ends_at)
    serializer, signer = _kept(secret, purpose)
    # serializer.dumps(...), with the signer it would make for this call made once
    payload = serializer.dump_payload(
        {"b": booking.id, "c": booking.customer_id, "e": _epoch(expires_at)})
    return signer.sign(payload).decode("utf-8")


def read_token(secret, purpose, token, now):
    """(booking_id, customer_id) from a token, or LinkInvalid / LinkExpired."""
    try:
        data = _serializer(secret, purpose).loads(token)
        booking_id, customer_id, expires = int(data["b"]), int(data["c"]), int(data["e"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise LinkInvalid(gettext("This link is not valid. It may have been copied incompletely."))
    if _epoch(now) >= expires:
        raise LinkExpired(gettext("This link has expired."))
    return booking_id, customer_id
