"""CSRF checks with the signed token's verification kept, and forms handed the kept token.

Every POST had Flask-WTF verify its token afresh (base64, HMAC, JSON: about 180 Python calls,
a twentieth of a cancel POST), and every form built on a POST signed a new token for its own
CSRF field, which the page after a successful POST never shows. With WTF_CSRF_TIME_LIMIT None
(config.py) a token's signature never expires, so a token verified once under a secret key
names the same session secret ever after: it is kept with that secret, and the next request
sending the very same token only compares the session's secret with it (hmac.compare_digest,
as Flask-WTF does). Anything else (a token not seen, a mismatch, a time limit set, a custom
secret) goes through Flask-WTF's validate_csrf, which refuses with its own message. Forms take
their token from page_kit's kept tokens, as templates do (web/form_meta.KeptFormCSRF).

Every POST runs this, so it reads the request context once (request, app, session) instead of
through Flask's proxies, each of which costs four Python calls a use (fourteen uses a POST).
"""
import hmac
import logging

from flask import g
from flask.globals import _cv_request
from flask_wtf.csrf import CSRFProtect, same_origin, validate_csrf
from wtforms import ValidationError

KEPT = 4096  # verified tokens per worker; cleared when full
logger = logging.getLogger("flask_wtf.csrf")  # where Flask-WTF logs a refused token


class KeptCsrfProtect(CSRFProtect):
    def __init__(self, app=None):
        self.verified = {}  # (secret key, signed token) -> the session secret it names
        super().__init__(app)

    def _validate(self, ctx, data):
        app = ctx.app
        config = app.config
        field = config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
        secret = config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        no_limit = config.get("WTF_CSRF_TIME_LIMIT", 3600) is None  # Flask-WTF's default
        kept = self.verified.get((secret, data)) if no_limit and data else None
        raw = ctx.session.get(field)
        if kept is not None and isinstance(raw, str) and hmac.compare_digest(raw, kept):
            return
        validate_csrf(data)  # raises ValidationError with Flask-WTF's message
        if no_limit:
            if len(self.verified) >= KEPT:
                self.verified.clear()
            self.verified[(secret, data)] = raw

    def _token_sent(self, req, config):
        """Flask-WTF's _get_csrf_token: the form field, a prefixed one, then the headers."""
        field_name = config["WTF_CSRF_FIELD_NAME"]
        form = req.form
        token = form.get(field_name)
        if token:
            return token
        for key in form:  # a form with a prefix sends {prefix}-csrf_token
            if key.endswith(field_name) and form[key]:
                return form[key]
        for header_name in config["WTF_CSRF_HEADERS"]:
            token = req.headers.get(header_name)
            if token:
                return token
        return None

    def _exempt_view(self, app, req):
        """Flask-WTF's _is_exempt, for this request's app and request."""
        if app.blueprints.get(req.blueprint) in self._exempt_blueprints:
            return True
        view = app.view_functions.get(req.endpoint)
        return view is not None and f"{view.__module__}.{view.__name__}" in self._exempt_views

    def protect(self, apply_exemptions=False):
        """Flask-WTF's protect(), with its validate_csrf through _validate above."""
        ctx = _cv_request.get()
        req, app = ctx.request, ctx.app
        if apply_exemptions and (not req.endpoint or self._exempt_view(app, req)):
            return
        config = app.config
        if req.method not in config["WTF_CSRF_METHODS"]:
            return
        try:
            self._validate(ctx, self._token_sent(req, config))
        except ValidationError as e:
            logger.info(e.args[0])
            self._error_response(e.args[0])
        if req.is_secure and config["WTF_CSRF_SSL_STRICT"]:
            if not req.referrer:
                self._error_response("The referrer header is missing.")
            if not same_origin(req.referrer, f"https://{req.host}/"):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True  # mark this request as CSRF valid
