"""Flask's signed-cookie session, with its signer made once per key instead of per request.

Flask builds a new URLSafeTimedSerializer for every request that has or sets a session (and
itsdangerous checks the JSON serializer by encoding a test value each time): about a tenth of
an empty request's CPU. The serializer holds no per-request state, so one is kept per
(secret key, fallback keys); a changed key (rotation, a test's own key) makes a new one.
"""
from flask.sessions import SecureCookieSessionInterface


class KeptSignerSessionInterface(SecureCookieSessionInterface):
    def __init__(self):
        self._signers = {}

    def get_signing_serializer(self, app):
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        signer = self._signers.get(key)
        if signer is None:
            if len(self._signers) > 8:  # keys only change by hand; never grow without bound
                self._signers.clear()
            signer = self._signers[key] = super().get_signing_serializer(app)
        return signer


def init_app(app):
    app.session_interface = KeptSignerSessionInterface()
