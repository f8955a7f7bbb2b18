"""CSRF checks with the signed token's verification kept, and forms handed the kept token.

Every POST had Flask-WTF verify its token afresh (base64, HMAC, JSON: about 180 Python calls,
a twentieth of a cancel POST), and every form built on a POST signed a new token for its own
CSRF field, which the page after a successful POST never shows. With WTF_CSRF_TIME_LIMIT None
(config.py) a token's signature never expires, so a token verified once under a secret key
names the same session secret ever after: it is kept with that secret, and the next request
sending the very same token only compares the session's secret with it (hmac.compare_digest,
as Flask-WTF does). Anything else (a token not seen, a mismatch, a time limit set, a custom
secret) goes through Flask-WTF's validate_csrf, which refuses with its own message. Forms take
their token from page_kit's kept tokens, as templates do (web/forms.KeptFormCSRF).
"""
import hmac
import logging

from flask import current_app, g, request, session
from flask_wtf.csrf import CSRFProtect, same_origin, validate_csrf
from wtforms import ValidationError

KEPT = 4096  # verified tokens per worker; cleared when full
logger = logging.getLogger("flask_wtf.csrf")  # where Flask-WTF logs a refused token


class KeptCsrfProtect(CSRFProtect):
    def __init__(self, app=None):
        self.verified = {}  # (secret key, signed token) -> the session secret it names
        super().__init__(app)

    def _validate(self, data):
        config = current_app.config
        field = config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
        secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
        no_limit = config.get("WTF_CSRF_TIME_LIMIT", 3600) is None  # Flask-WTF's default
        kept = self.verified.get((secret, data)) if no_limit and data else None
        raw = session.get(field)
        if kept is not None and isinstance(raw, str) and hmac.compare_digest(raw, kept):
            return
        validate_csrf(data)  # raises ValidationError with Flask-WTF's message
        if no_limit:
            if len(self.verified) >= KEPT:
                self.verified.clear()
            self.verified[(secret, data)] = raw

    def protect(self, apply_exemptions=False):
        """Flask-WTF's protect(), with its validate_csrf through _validate above."""
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        try:
            self._validate(self._get_csrf_token())
        except ValidationError as e:
            logger.info(e.args[0])
            self._error_response(e.args[0])
        if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            if not same_origin(request.referrer, f"https://{request.host}/"):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True  # mark this request as CSRF valid

