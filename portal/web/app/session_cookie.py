"""Flask's signed-cookie session, with its signer made once per key instead of per request, and
a cookie already verified not verified again.

Flask builds a new URLSafeTimedSerializer for every request that has or sets a session (and
itsdangerous checks the JSON serializer by encoding a test value each time): about a tenth of
an empty request's CPU. The serializer holds no per-request state, so one is kept per
(secret key, fallback keys); a changed key (rotation, a test's own key) makes a new one.

Opening the cookie (base64, zlib, HMAC, JSON) was a quarter of an empty request's CPU, and a
browser sends the same cookie on every request until the session changes. A cookie value whose
signature was checked under the same keys is kept with its contents and its timestamp, so the
next request with the very same value only repeats the age check (expired or from the future:
the full path, which refuses it). The whole Cookie header is kept beside it (a browser repeats
that too), so a repeat needs no cookie parsing either. Only sessions holding plain values
(text, numbers, booleans) are kept, so no request can change another's copy; a changed session
is a new value, verified in full on its first return.

Writing a changed session (a flash message after a POST) went through Flask's tagged JSON, which
asks each of its eight tags about every value, and itsdangerous, which derives the HMAC key
from the secret again for every signature: plain values (text, numbers, booleans, lists, the
flash's (category, message) pairs) are tagged here in one pass to the very same JSON, and the
derived key is kept per (secret, salt, method); the signer is kept too (itsdangerous made one
per cookie), signs in one call to hmac.digest, and the JSON comes from an encoder kept for the
app's JSON settings. The cookie written is byte for byte Flask's.
"""
import hashlib
import hmac
import json
import re
import time

from flask.globals import _cv_app, _cv_request
from flask.json.provider import DefaultJSONProvider
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface, _lazy_sha1
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import want_bytes
from itsdangerous.signer import HMACAlgorithm

from .answers import header_names

KEPT_COOKIES = 4096  # per worker; cleared when full (a logged-in browser: its cookie, its header)
KEPT_VALUE_MAX = 4096  # a longer cookie or Cookie header is opened each time, never kept
_PLAIN = (str, int, float, bool, type(None))
_OTHER = object()  # a value only Flask's own tags can write


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
        kind = type(value)
        if kind in _PLAIN:  # exact types: a Markup or other str subclass has its own tag
            return value
        if kind is tuple or kind is list:
            items = [self._plain(item) for item in value]
            if any(item is _OTHER for item in items):
                return _OTHER
            return {" t": items} if kind is tuple else items
        if kind is dict:
            # a one-key dict whose key is a tag's is itself tagged (TagDict): Flask's way
            if len(value) == 1 and next(iter(value)) in self.tags:
                return _OTHER
            out = {}
            for key, item in value.items():
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


class KeptSignerSessionInterface(SecureCookieSessionInterface):
    serializer = QuickTags()

    def __init__(self):
        self._signers = {}
        # (keys, cookie value) and (keys, cookie name, Cookie header) -> (signed at, contents)
        self._opened = {}

    def _keys(self, app):
        return (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))

    def get_signing_serializer(self, app):
        if not app.secret_key:
            return None
        key = self._keys(app)
        signer = self._signers.get(key)
        if signer is None:
            if len(self._signers) > 8:  # keys only change by hand; never grow without bound
                self._signers.clear()
            # Flask's serializer (SecureCookieSessionInterface.get_signing_serializer), with
            # the kept-key signer
            signer = self._signers[key] = KeptKeySerializer(
                [*key[1], app.secret_key], salt=self.salt, serializer=self.serializer,
                signer_kwargs={"key_derivation": self.key_derivation,
                               "digest_method": self.digest_method})
        return signer

    def open_session(self, app, request):
        if not app.secret_key:
            return None  # Flask's: no session at all without a key
        # A request without cookies (a first visit, a health check, a bot) has no session to
        # open.
        header = request.environ.get("HTTP_COOKIE")
        if not header:
            return self.session_class()
        # The browser's whole Cookie header names the kept session: werkzeug's request.cookies
        # (every environ key walked for the header, then parsed) is spared while it repeats.
        name = self.get_cookie_name(app)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        header_key = (self._keys(app), name, header)
        kept = self._opened.get(header_key)
        if kept is not None and 0 <= int(time.time()) - kept[0] <= max_age:
            return self.session_class(kept[1])
        # (without werkzeug's MultiDict.get, which raises and catches when it is missing)
        cookies = request.cookies
        val = cookies[name] if name in cookies else None
        if not val:
            return self.session_class()  # Flask's: an empty session when no cookie
        cache_key = (self._keys(app), val)
        kept = self._opened.get(cache_key)
        if kept is not None and 0 <= int(time.time()) - kept[0] <= max_age:
            self._keep(header_key, header, kept)
            return self.session_class(kept[1])
        try:
            data, signed_at = self.get_signing_serializer(app).loads(
                val, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(type(v) in _PLAIN for v in data.values()):
            kept = (int(signed_at.timestamp()), data)
            self._keep(cache_key, val, kept)
            self._keep(header_key, header, kept)
        return self.session_class(data)

    def _keep(self, key, value, kept):
        if len(value) > KEPT_VALUE_MAX:
            return
        if len(self._opened) >= KEPT_COOKIES:
            self._opened.clear()
        self._opened[key] = kept


    def save_session(self, app, session, response):
        """Flask's, with the usual case first: a session that did not change writes no cookie,
        so the cookie's name, domain, path and flags are not worked out, and Vary: Cookie is
        added only when the answer doesn't say it yet (security_headers has, on most
        answers: werkzeug's vary.add parses and rewrites the header each time)."""
        if not session.modified and not (session.permanent
                                         and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            if session.accessed and not _varies_on_cookie(response):
                response.vary.add("Cookie")
            return
        if not session:  # emptied: Flask deletes the cookie
            super().save_session(app, session, response)
            return
        # Flask's own steps for a session to write, with Vary: Cookie added once
        response.set_cookie(
            self.get_cookie_name(app), self.get_signing_serializer(app).dumps(dict(session)),
            expires=self.get_expiration_time(app, session),
            httponly=self.get_cookie_httponly(app), domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app), secure=self.get_cookie_secure(app),
            partitioned=self.get_cookie_partitioned(app),
            samesite=self.get_cookie_samesite(app))
        if not _varies_on_cookie(response):
            response.vary.add("Cookie")


# "Cookie" as one of a Vary header's comma-separated names, any case, spaces around it
_COOKIE_IN_VARY = re.compile(r"(?:^|,)\s*cookie\s*(?:,|$)", re.IGNORECASE)


def _varies_on_cookie(response):
    """Whether the answer's (first) Vary names Cookie, as response.vary would say, in one
    search instead of a strip() and a lower() per name. (A wrong False would only cost
    vary.add, which adds nothing already there.)"""
    headers = response.headers
    names = header_names(headers)
    if "vary" not in names:  # (found without headers.get's KeyError and a lower() per name)
        return False
    vary = headers[names.index("vary")][1]  # the first, as headers.get gives
    return _COOKIE_IN_VARY.search(vary) is not None


def init_app(app):
    """The kept session cookie, and Flask-Login's user read from it (session_guard: after
    login.init_app, which create_app runs before the blueprints)."""
    from . import session_guard
    app.session_interface = KeptSignerSessionInterface()
    session_guard.init_app(app)


def skip_idle_remember_cookie(app, login):
    """Flask-Login's after_request hook (LoginManager._update_remember_cookie), called only when
    it has something to do: a "_remember" order in the session (logout_user's "clear" when the
    browser sends a remember cookie; login_user(remember=True)'s "set") or
    REMEMBER_COOKIE_REFRESH_EACH_REQUEST. Otherwise it only reads the session and the config
    through their proxies, on every request. Put in its place, so the hooks keep their order."""
    update = login._update_remember_cookie
    config = app.config

    def _update_remember_cookie(response):
        if "_remember" in _cv_request.get().session or config.get(
                "REMEMBER_COOKIE_REFRESH_EACH_REQUEST"):
            return update(response)
        return response

    hooks = app.after_request_funcs[None]
    hooks[hooks.index(update)] = _update_remember_cookie
