"""Signed, expiring, single-purpose email action links.

A token names one booking and its customer, is signed with SECRET_KEY under a salt per purpose
(view, cancel, reschedule) so one purpose's token never opens another, and expires at the
booking's end time at the latest. It grants that one booking, never a login.
"""
import base64
import hmac
import zlib
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
    state between uses). With them, an HMAC already keyed with the key the signer derives
    (itsdangerous derives it again, a hash, for every signature): each token copies it."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    serializer = URLSafeSerializer(secret, salt=f"rebook-link-{purpose}")
    signer = serializer.make_signer()
    keyed = hmac.new(signer.derive_key(), digestmod=signer.algorithm.digest_method)
    return serializer, signer, keyed


def _payload(data):
    """serializer.dump_payload(data) for three whole numbers: the same compact JSON
    (json.dumps(separators=(",", ":")) writes an int as str() does), compressed only when that
    is shorter, as itsdangerous decides, then URL-safe base64 without padding."""
    text = '{"b":%d,"c":%d,"e":%d}' % (data["b"], data["c"], data["e"])
    raw = text.encode("ascii")
    packed = zlib.compress(raw)
    if len(packed) < len(raw) - 1:
        return b"." + base64.urlsafe_b64encode(packed).rstrip(b"=")
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


def make_token(secret, purpose, booking, expires_at=None):
    """A token for `purpose` on `booking`, valid until `expires_at` (default: its end)."""
    expires_at = min(expires_at or booking.ends_at, booking.ends_at)
    serializer, signer, keyed = _kept(secret, purpose)
    data = {"b": booking.id, "c": booking.customer_id, "e": _epoch(expires_at)}
    if not all(type(value) is int for value in data.values()):  # not three ints: as it was
        return signer.sign(serializer.dump_payload(data)).decode("utf-8")
    # signer.sign(serializer.dump_payload(data)): the same bytes, the key derived once
    payload = _payload(data)
    mac = keyed.copy()
    mac.update(payload)
    signature = base64.urlsafe_b64encode(mac.digest()).rstrip(b"=")
    return (payload + signer.sep + signature).decode("ascii")


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
