"""One SMTP connection a worker keeps open across batches.

Opening a connection (TCP, greeting, EHLO, maybe STARTTLS and AUTH) cost more than sending a
message, and Flask-Mail reopened it every batch and every 50 messages. The connection is opened
on first use, reused while it is fresh, and reopened once when the server has dropped it (an
idle timeout, a restart). A reconnect that fails means the server is down: ServerDown, so the
caller stops the batch instead of trying each message against a dead server.
"""
import smtplib
import time

from flask import current_app

from .mime import address, build, envelope_address, message_domain, named_sender

# Servers drop idle clients (Postfix after 300 s, some providers sooner): reopen after this
# rather than meet a dead connection.
IDLE_SECONDS = 30


class ServerDown(Exception):
    """The SMTP server could not be reached (or reached again): nothing more will go now."""

    def __init__(self, cause):
        super().__init__(str(cause))
        self.cause = cause


def _dropped(exc):
    """The server closed the connection (or reset it), or says it is closing it (421)."""
    return isinstance(exc, (smtplib.SMTPServerDisconnected, ConnectionError)) or (
        isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code == 421)


class Mailer:
    """Sends outbox rows through the app's mail settings (Flask-Mail's state)."""

    def __init__(self, state, timeout, clock=time.monotonic):
        self.state = state
        self.timeout = timeout
        self.clock = clock
        self.host = None
        self.used_at = 0.0
        self.sender = state.default_sender
        if isinstance(self.sender, tuple):
            self.sender = f"{self.sender[0]} <{self.sender[1]}>"
        # The From header and MAIL FROM, worked out once for every message.
        self.from_header = address(self.sender) if self.sender else ""
        self.envelope_from = envelope_address(self.sender) if self.sender else ""
        self.domain = message_domain(self.sender)
        self._named = None

    def name_sender(self, name):
        """Send as `name` (the business's, read from Settings each batch, so a rename shows on
        the next batch) at the configured address."""
        if self.sender and name != self._named:
            self.from_header = named_sender(name, self.sender)
            self._named = name

    @classmethod
    def for_app(cls):
        return cls(current_app.extensions["mail"], current_app.config.get("MAIL_TIMEOUT", 10))

    def _open(self):
        mail = self.state
        smtp = smtplib.SMTP_SSL if mail.use_ssl else smtplib.SMTP
        # A timeout, always: a server that accepts and then stays silent must not hang the
        # worker (Flask-Mail 0.10 opened connections with none).
        host = smtp(mail.server, mail.port, timeout=self.timeout)
        try:
            host.set_debuglevel(int(mail.debug))
            if mail.use_tls:
                host.starttls()
            if mail.username and mail.password:
                host.login(mail.username, mail.password)
        except BaseException:
            host.close()
            raise
        return host

    def connect(self):
        """Make sure a connection is open; ServerDown when it cannot be."""
        if self.state.suppress:
            return
        if self.host is not None and self.clock() - self.used_at > IDLE_SECONDS:
            self.close()
        if self.host is None:
            try:
                self.host = self._open()
            except Exception as exc:
                raise ServerDown(exc) from exc
            self.used_at = self.clock()

    def send(self, message, date=None):
        """Build and send one outbox row. Errors about this message (a refused address, a bad
        header) are raised as they are; ServerDown when the server cannot be reached."""
        self.deliver(self.prepare(message, date))

    def prepare(self, message, date=None):
        """(recipients, bytes) for one outbox row, to `deliver` later; errors about the
        message (no sender, a bad header, a template that fails to render) are raised now."""
        if not self.sender:
            raise ValueError("no sender: set MAIL_DEFAULT_SENDER and resend the message")
        data = build(message, self.from_header, self.domain, date)
        return [envelope_address(message.to_address)], data

    def deliver(self, prepared):
        """Send what `prepare` made; a refusal is raised as it is, ServerDown when the
        server cannot be reached."""
        to, data = prepared
        if self.state.suppress:  # testing, or sending switched off: the message goes nowhere
            return
        self.connect()
        try:
            self._sendmail(to, data)
        except Exception as exc:
            if not _dropped(exc):
                raise
            # A kept-open connection the server dropped: reopen once and send again. The
            # server may have taken the message before dropping; at least once, as promised.
            self._drop()
            self.connect()
            try:
                self._sendmail(to, data)
            except Exception as again:
                if _dropped(again):
                    self._drop()
                    raise ServerDown(again) from again
                raise
        self.used_at = self.clock()

    def _sendmail(self, to, data):
        try:
            self.host.sendmail(self.envelope_from, to, data)
        except smtplib.SMTPException:  # the server's answer about this message (or a drop)
            raise
        except OSError as exc:
            if isinstance(exc, ConnectionError):
                raise
            # A timeout mid-conversation: the connection is unusable and the server too slow
            # to try each remaining message against.
            self._drop()
            raise ServerDown(exc) from exc

    def _drop(self):
        """Forget a broken connection without a QUIT (a silent server would make it wait)."""
        host, self.host = self.host, None
        if host is not None:
            host.close()

    def close(self):
        host, self.host = self.host, None
        if host is None:
            return
        try:
            host.quit()
        except Exception:  # already gone: nothing to say goodbye to
            host.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
