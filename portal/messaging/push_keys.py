"""The instance's VAPID key pair (RFC 8292): made the first time anything needs it, then kept.

A push service ties each subscription to the public key the page subscribed with and accepts
pushes only when they carry a token signed by its private key. So the pair lives in the
database beside the subscriptions (table push_key): `flask backup` and pg_dump keep them
together, a restore brings back a key that matches its subscriptions, and every web and
worker process, on any machine, signs with the same key. Nothing to configure.
"""
import base64
import time
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from ..kernel.clock import utcnow
from .push_models import PushKey

KEY_ID = 1  # one row: a second process making a key at the same moment inserts nothing
TOKEN_HOURS = 12  # RFC 8292 allows at most 24; push services refuse a token past its exp


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _new_row() -> dict:
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode("ascii")
    public = private.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
    return {"id": KEY_ID, "private_pem": pem, "public_key": b64url(public),
            "created_at": utcnow()}


def current() -> PushKey:
    """The key pair, made now if this instance has none yet (safe under concurrency: the
    fixed id lets exactly one insert win, and everyone reads the winner's row)."""
    key = PushKey.get_or_none(PushKey.id == KEY_ID)
    if key is None:
        PushKey.insert(**_new_row()).on_conflict_ignore().execute()
        key = PushKey.get(PushKey.id == KEY_ID)
    return key


def public_key() -> str:
    """What the page hands PushManager.subscribe as applicationServerKey."""
    return current().public_key


def origin(endpoint: str) -> str:
    """The audience a token is for: the push service's scheme, host and port (RFC 8292 §2)."""
    parts = urlsplit(endpoint)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


class Signer:
    """Signs VAPID tokens with one loaded key (load once per worker batch, sign per push)."""

    def __init__(self, key: PushKey, contact: str):
        private = serialization.load_pem_private_key(key.private_pem.encode(), password=None)
        self._vapid = Vapid02(private)
        self.contact = contact

    def authorization(self, endpoint: str, now: float | None = None) -> str:
        """The Authorization header for one push: "vapid t=<JWT>, k=<public key>"."""
        claims = {"aud": origin(endpoint), "sub": self.contact,
                  "exp": int((now or time.time()) + TOKEN_HOURS * 3600)}
        return self._vapid.sign(claims)["Authorization"]
