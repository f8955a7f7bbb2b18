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

Writing a changed session (a flash message after a POST): the JSON and signature come from
cookie_signing.py (kept signer, key and encoder, one pass), and the Set-Cookie header is the
cookie's value put between its name and its attributes as werkzeug's dump_cookie wrote them once
for the app's cookie settings (a session that expires with the browser, as here, has the same
attributes every time). The cookie written is byte for byte Flask's.
"""
import re
import time

from flask.globals import _cv_request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature
from werkzeug.datastructures.headers import _str_header_value
from werkzeug.http import dump_cookie

from .answers import header_names
from .cookie_signing import PLAIN, KeptKeySerializer, QuickTags

KEPT_COOKIES = 4096  # per worker; cleared when full (a logged-in browser: its cookie, its header)
KEPT_VALUE_MAX = 4096  # a longer cookie or Cookie header is opened each time, never kept


class KeptSignerSessionInterface(SecureCookieSessionInterface):
    serializer = QuickTags()

    def __init__(self):
        self._signers = {}
        # (keys, cookie value) and (keys, cookie name, Cookie header) -> (signed at, contents)
        self._opened = {}
        self._around = {}  # cookie settings -> (header before the value, after, size limit)

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
        if isinstance(data, dict) and all(type(v) in PLAIN for v in data.values()):
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
        expires = self.get_expiration_time(app, session)
        value = self.get_signing_serializer(app).dumps(dict(session))
        around = self._cookie_around(app) if expires is None else None
        header = None if around is None else around[0] + value + around[1]
        if header is not None and len(header) <= around[2]:
            # werkzeug's set_cookie and dump_cookie for this value (a signed value holds only
            # base64's URL-safe letters and ".": never quoted), appended as headers.add would
            response.headers._list.append(("Set-Cookie", header))
        else:  # Flask's own steps (a permanent session's expiry; an oversized cookie's warning)
            response.set_cookie(
                self.get_cookie_name(app), value, expires=expires,
                httponly=self.get_cookie_httponly(app), domain=self.get_cookie_domain(app),
                path=self.get_cookie_path(app), secure=self.get_cookie_secure(app),
                partitioned=self.get_cookie_partitioned(app),
                samesite=self.get_cookie_samesite(app))
        if not _varies_on_cookie(response):
            response.vary.add("Cookie")

    def _cookie_around(self, app):
        """(what comes before the value, what comes after, the size limit) of the Set-Cookie
        header Flask writes for a session without an expiry, from werkzeug's dump_cookie,
        kept per cookie setting (the settings a test changes make another). A header checked
        here as werkzeug checks every header value (no newline)."""
        config = app.config
        key = (config["SESSION_COOKIE_NAME"], config["SESSION_COOKIE_DOMAIN"],
               config["SESSION_COOKIE_PATH"], config["APPLICATION_ROOT"],
               config["SESSION_COOKIE_HTTPONLY"], config["SESSION_COOKIE_SECURE"],
               config["SESSION_COOKIE_PARTITIONED"], config["SESSION_COOKIE_SAMESITE"],
               config["MAX_COOKIE_SIZE"])
        around = self._around.get(key)
        if around is None:
            if len(self._around) > 8:  # settings only change by hand
                self._around.clear()
            name = self.get_cookie_name(app)
            header = _str_header_value(dump_cookie(
                name, "v", httponly=self.get_cookie_httponly(app),
                domain=self.get_cookie_domain(app), path=self.get_cookie_path(app),
                secure=self.get_cookie_secure(app), samesite=self.get_cookie_samesite(app),
                partitioned=self.get_cookie_partitioned(app)))
            before = f"{name.encode().decode('latin1')}="  # (dump_cookie's spelling of the name)
            if not header.startswith(before + "v"):
                raise RuntimeError("unexpected Set-Cookie layout")  # (not werkzeug 3's)
            around = self._around[key] = (before, header[len(before) + 1:],
                                          config["MAX_COOKIE_SIZE"] or float("inf"))
        return around


# "Cookie" as one of a Vary header's comma-separated names, any case, spaces around it
_COOKIE_IN_VARY = re.compile(r"(?:^|,)\s*cookie\s*(?:,|$)", re.IGNORECASE)


def _varies_on_cookie(response):
    """Whether the answer's (first) Vary names Cookie, as response.vary would say, in one
    search instead of a strip() and a lower() per name. (A wrong False would only cost
    vary.add, which adds nothing already there.)"""
    pairs = response.headers._list  # (werkzeug's own list: no iterator or lookup of its)
    names = header_names(pairs)
    if "vary" not in names:  # (found without headers.get's KeyError and a lower() per name)
        return False
    vary = pairs[names.index("vary")][1]  # the first, as headers.get gives
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
