"""A real SMTP server's handler (aiosmtpd) and pointing Flask-Mail at it.

Flask-Mail 0.10 copies MAIL_* into app.extensions["mail"] at init_app and, with TESTING on,
suppresses sending (MAIL_SUPPRESS_SEND defaults to app.testing), so `mail_to` below re-runs
init_app with the port under test and sending switched on, then puts the old state back.
The `smtp`, `closed_port` and `stalled_port` fixtures are in tests/conftest.py.
"""
import email
import email.policy
from contextlib import contextmanager

from portal.extensions import mail

MAIL_KEYS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_SUPPRESS_SEND")
_MISSING = object()


class Collector:
    """An aiosmtpd handler that keeps every envelope with the connection it came in on."""

    def __init__(self):
        self.received = []  # (session, envelope); aiosmtpd makes one session per connection

    async def handle_DATA(self, server, session, envelope):
        self.received.append((session, envelope))
        return "250 Message accepted for delivery"

    @property
    def envelopes(self):
        return [envelope for _, envelope in self.received]

    @property
    def connections(self):
        return {id(session) for session, _ in self.received}  # kept alive, so ids are unique

    def parsed(self):
        return [email.message_from_bytes(e.original_content or e.content,
                                         policy=email.policy.default) for e in self.envelopes]


@contextmanager
def mail_to(app, port):
    """Point Flask-Mail at 127.0.0.1:`port` with sending on; restore config and state after."""
    saved_config = {key: app.config.get(key, _MISSING) for key in MAIL_KEYS}
    saved_state = app.extensions["mail"]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SUPPRESS_SEND=False)
    mail.init_app(app)
    try:
        yield
    finally:
        for key, value in saved_config.items():
            if value is _MISSING:
                app.config.pop(key, None)
            else:
                app.config[key] = value
        app.extensions["mail"] = saved_state
