"""The session cookie's JSON and signature (session_cookie.py's serializer): itsdangerous's
URL-safe timed serializer with what holds no per-request state kept, and a cookie written in
one pass. Every value written is byte for byte what Flask's own serializer writes
(tests/web/test_request_frame.py and test_session_writes.py compare them).

- QuickTags: Flask's tagged JSON, plain values (text, numbers, booleans, lists, the flash's
  (category, message) pairs) tagged in one pass instead of asking each of Flask's eight tags
  about every value, through a JSON encoder kept for the app's JSON settings.
- KeptKeySigner: the HMAC key derived from the secret once per (secret, salt, method), not
  for every signature, and the HMAC made in one call to hmac.digest (OneShotHMAC).
- KeptKeySerializer: the signer kept per salt (itsdangerous made one per cookie), and dumps
  writing a cookie in one function: JSON, zlib when it is shorter, base64, timestamp,
  signature, the steps of URLSafeSerializerMixin.dump_payload and TimestampSigner.sign (about
  60 Python calls spared on every response that writes the session, as after a flash).
"""
import binascii
import hashlib
import hmac
import json
import struct
import zlib

from flask.globals import _cv_app
from flask.json.provider import DefaultJSONProvider
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import _lazy_sha1
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import want_bytes
from itsdangerous.signer import HMACAlgorithm

PLAIN = (str, int, float, bool, type(None))  # values JSON writes as they are (exact types)
_OTHER = object()  # a value only Flask's own tags can write
# base64's urlsafe_b64encode, its "+/" -> "-_" in one translate (itsdangerous then strips "=")
_URL_SAFE = bytes.maketrans(b"+/", b"-_")
_INT64 = struct.Struct(">Q").pack  # itsdangerous.encoding.int_to_bytes, before its lstrip


def _base64(data):
    """itsdangerous.encoding.base64_encode of bytes: URL-safe base64 without its padding."""
    return binascii.b2a_base64(data, newline=False).translate(_URL_SAFE).rstrip(b"=")


class QuickTags(TaggedJSONSerializer):
    """Flask's session JSON, plain values tagged in one pass (anything else: Flask's tags)."""

    _encoders = {}  # (ensure_ascii, sort_keys, default) -> json.JSONEncoder

    def tag(self, value):
        quick = self._plain(value)
        return super().tag(value) if quick is _OTHER else quick

    def dumps(self, value):
        """Flask's (flask.json.dumps of the tagged value, compact), through a JSON encoder kept
        for the app's DefaultJSONProvider settings instead of the provider and json.dumps
        making one per cookie (another provider: Flask's way)."""
        ctx = _cv_app.get(None)
        provider = None if ctx is None else ctx.app.json
        if type(provider) is not DefaultJSONProvider:
            return super().dumps(value)
        key = (provider.ensure_ascii, provider.sort_keys, provider.default)
        encoder = self._encoders.get(key)
        if encoder is None:
            if len(self._encoders) > 8:  # settings only change by hand
                self._encoders.clear()
            encoder = self._encoders[key] = json.JSONEncoder(
                ensure_ascii=key[0], sort_keys=key[1], default=key[2], separators=(",", ":"))
        return encoder.encode(self.tag(value))

    def _plain(self, value):
        """`value` as Flask's tags would leave it, or _OTHER. A plain item inside a list or
        dict is taken as it is without a call of its own (most of a session's values)."""
        kind = type(value)
        if kind in PLAIN:  # exact types: a Markup or other str subclass has its own tag
            return value
        if kind is tuple or kind is list:
            items = [item if type(item) in PLAIN else self._plain(item) for item in value]
            if _OTHER in items:  # (identity first; no tagged value equals a bare object)
                return _OTHER
            return {" t": items} if kind is tuple else items
        if kind is dict:
            # a one-key dict whose key is a tag's is itself tagged (TagDict): Flask's way
            if len(value) == 1 and next(iter(value)) in self.tags:
                return _OTHER
            out = {}
            for key, item in value.items():
                if type(item) not in PLAIN:
                    item = self._plain(item)
                if type(key) is not str or item is _OTHER:
                    return _OTHER
                out[key] = item
            return out
        return _OTHER


class OneShotHMAC(HMACAlgorithm):
    """itsdangerous's HMAC in one call to the standard library's C one-shot (hmac.digest)
    instead of an hmac object built in Python. Flask's SHA-1 (a Python function wrapping
    hashlib.sha1, which hmac.digest can't hand to OpenSSL) is passed as hashlib.sha1 itself:
    the same digest."""

    def get_signature(self, key, value):
        digest = hashlib.sha1 if self.digest_method is _lazy_sha1 else self.digest_method
        return hmac.digest(key, value, digest)


class KeptKeySigner(TimestampSigner):
    """itsdangerous's timestamp signer with the derived key kept: the same secret, salt and
    method always derive the same key. Its HMAC is one call (OneShotHMAC)."""

    _derived = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if type(self.algorithm) is HMACAlgorithm:  # (the default; one given is left alone)
            self.algorithm = OneShotHMAC(self.digest_method)

    def derive_key(self, secret_key=None):
        secret = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        key = (secret, self.salt, self.key_derivation, self.digest_method)
        derived = self._derived.get(key)
        if derived is None:
            if len(self._derived) > 16:  # keys only change by hand; never grow without bound
                self._derived.clear()
            derived = self._derived[key] = super().derive_key(secret)
        return derived


class KeptKeySerializer(URLSafeTimedSerializer):
    """The serializer with its signer kept per salt: itsdangerous made a new one for every
    cookie written or opened, though a signer holds only its keys and settings."""

    default_signer = KeptKeySigner

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kept_signers = {}

    def make_signer(self, salt=None):
        salt = self.salt if salt is None else salt
        signer = self._kept_signers.get(salt)
        if signer is None:
            signer = self._kept_signers[salt] = super().make_signer(salt)
        return signer

    def dumps(self, obj, salt=None):
        """itsdangerous's dumps (URLSafeSerializerMixin.dump_payload, TimestampSigner.sign) in
        one pass, for the session's own setup: a text serializer (QuickTags), the kept signer
        with its "." separator and one-shot HMAC. Anything else: itsdangerous's steps."""
        signer = self.make_signer(salt)
        if (type(self.serializer) is not QuickTags or self.serializer_kwargs
                or type(signer) is not KeptKeySigner or signer.sep != b"."
                or type(signer.algorithm) is not OneShotHMAC):
            return super().dumps(obj, salt)
        data = self.serializer.dumps(obj).encode()  # (want_bytes: UTF-8)
        compressed = zlib.compress(data)
        payload = b"." + _base64(compressed) if len(compressed) < len(data) - 1 \
            else _base64(data)
        value = payload + b"." + _base64(_INT64(signer.get_timestamp()).lstrip(b"\x00"))
        signature = signer.algorithm.get_signature(signer.derive_key(), value)
        return (value + b"." + _base64(signature)).decode()
