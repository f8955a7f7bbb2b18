"""Rate limits at the edge: the 429 page, and whose address a request comes from.

The counting itself is portal/kernel/ratelimit.py (in the database, shared by every process).
"""
from flask import make_response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from ...kernel.ratelimit import wait_text
from .errors import error_response


def too_many_tries(retry_after):
    """429: the error page (or modal, for htmx) saying how long to wait, and Retry-After."""
    response = make_response(error_response(
        429, f"Please wait {wait_text(retry_after)} and try again."))
    response.headers["Retry-After"] = str(retry_after)
    return response


class TrustedProxies:
    """Believe X-Forwarded-For/-Proto/-Host from TRUSTED_PROXIES hops in front of us (0: none,
    the default). Behind a reverse proxy every client would otherwise share its address, and
    one client's misses would lock out everyone; with no proxy, trusting the header would let
    anyone send a fresh address with every guess. Read per request, like the other limits."""

    def __init__(self, app):
        self.app, self.wsgi_app, self._fixes = app, app.wsgi_app, {}

    def __call__(self, environ, start_response):
        hops = int(self.app.config.get("TRUSTED_PROXIES") or 0)
        if not hops:
            return self.wsgi_app(environ, start_response)
        if hops not in self._fixes:
            self._fixes[hops] = ProxyFix(self.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
        return self._fixes[hops](environ, start_response)


def trust_proxies(app):
    app.wsgi_app = TrustedProxies(app)


def client_address():
    """The client's address as the limits key it ('unknown' if the server gave none)."""
    return request.remote_addr or "unknown"
