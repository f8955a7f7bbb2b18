"""Webhook signatures: HMAC-SHA256 over "<unix timestamp>.<body>" with the integration's secret.

The header reads `Rebook-Signature: t=1767225600,v1=<64 hex digits>`. A receiver recomputes
the HMAC over the timestamp, a dot and the raw body it received, compares in constant time,
and refuses timestamps far from its clock so a captured request can't be replayed later.
"""
import hashlib
import hmac
import secrets
import time

HEADER = "Rebook-Signature"
TOLERANCE_SECONDS = 300


def new_secret():
    """A fresh signing secret, shown to the admin and kept to sign every request."""
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret, timestamp, body):
    """The hex HMAC-SHA256 of `timestamp`.`body` (body as bytes)."""
    message = f"{int(timestamp)}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret, body, timestamp=None):
    """The Rebook-Signature header value for `body` (bytes) sent at `timestamp` (unix)."""
    timestamp = int(time.time() if timestamp is None else timestamp)
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret, header, body, now=None, tolerance=TOLERANCE_SECONDS):
    """True when `header` signs `body` with `secret` within `tolerance` seconds of `now`."""
    fields = [part.split("=", 1) for part in (header or "").split(",") if "=" in part]
    stamps = [value for key, value in fields if key.strip() == "t"]
    candidates = [value.strip() for key, value in fields if key.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit() or not candidates:
        return False
    timestamp = int(stamps[0])
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, c) for c in candidates)
