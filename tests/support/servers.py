"""Real processes for the multi-process tests: gunicorn app servers, outbox workers, an SMTP sink.

Everything listens on 127.0.0.1. Gunicorn binds port 0 itself and we read the port it got from
its log, so two test sessions can never race for the same port. Every process started here is
stopped by the context manager that started it (SIGTERM, then SIGKILL), by its own pid.
"""
import email
import email.policy
import os
import re
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
LISTENING_RE = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
MESSAGE_KEY_RE = re.compile(rb"X-Rebook-Message: ([^\r\n]+)")
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def app_env(database_url, **settings):
    """The environment a server or worker process of the test's business runs with."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REBOOK_", "PYTEST"))}
    env.update(DATABASE_URL=database_url, SECRET_KEY="test-secret",
               BASE_URL="http://localhost", MAIL_SERVER="127.0.0.1", MAIL_PORT="1",
               MAIL_DEFAULT_SENDER="Rebook <bookings@example.com>")
    env.update({k: str(v) for k, v in settings.items()})
    return env


def _stop(proc, log):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log.close()


@contextmanager
def app_server(env, workers, tmp_path, name="web"):
    """`gunicorn -w workers wsgi:app` on a free loopback port; yields its base URL."""
    log_path = tmp_path / f"{name}.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", "127.0.0.1:0",
         "--graceful-timeout", "5", "--timeout", "120", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline, port = time.monotonic() + 60, None
        while port is None:
            assert proc.poll() is None, f"{name} exited:\n{log_path.read_text(errors='replace')}"
            assert time.monotonic() < deadline, f"{name} did not start:\n{log_path.read_text()}"
            match = LISTENING_RE.search(log_path.read_text(errors="replace"))
            port = match and int(match.group(1))
            time.sleep(0.1)
        url = f"http://127.0.0.1:{port}"
        requests.get(url + "/login", timeout=60)  # answered once a worker has booted
        yield url
    finally:
        _stop(proc, log)
    server_log = log_path.read_text(errors="replace")  # only when the test itself passed
    assert "Traceback" not in server_log, f"{name} logged an error:\n{server_log}"


@contextmanager
def outbox_workers(env, count, tmp_path):
    """`flask --app wsgi outbox work` processes, polling often."""
    procs = []
    try:
        for i in range(count):
            log = open(tmp_path / f"worker{i}.log", "wb")
            procs.append((subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "work",
                 "--interval", "0.2"], cwd=ROOT, env=env, stdout=log,
                stderr=subprocess.STDOUT), log))
        yield
    finally:
        for proc, log in procs:
            _stop(proc, log)
    for i in range(count):
        output = (tmp_path / f"worker{i}.log").read_text(errors="replace")
        assert "Traceback" not in output, f"outbox worker {i} failed:\n{output}"


class Sink:
    """An aiosmtpd handler that keeps every message accepted."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def keys(self):
        """The X-Rebook-Message (outbox dedupe key) of every message, in arrival order."""
        return [MESSAGE_KEY_RE.search(e.original_content or e.content).group(1).decode()
                for e in self.envelopes]

    def parsed(self):
        return [email.message_from_bytes(e.original_content or e.content,
                                         policy=email.policy.default) for e in self.envelopes]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_sink():
    """An SMTP server on a free loopback port; yields (handler, port)."""
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


class Browser:
    """One person's browser over real HTTP: its own cookies; redirects are not followed, so
    a test sees the 302 a login answers with."""

    def __init__(self, base_url, forwarded_for=None):
        self.base_url, self.session = base_url, requests.Session()
        if forwarded_for:
            self.session.headers["X-Forwarded-For"] = forwarded_for

    def get(self, path, **kwargs):
        return self.session.get(self.base_url + path, allow_redirects=False, timeout=60,
                                **kwargs)

    def post(self, path, data, **kwargs):
        return self.session.post(self.base_url + path, data=data, allow_redirects=False,
                                 timeout=60, **kwargs)

    def token(self, path="/login"):
        match = CSRF_RE.search(self.get(path).text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def log_in(self, email, password="demo", token=None):
        return self.post("/login", {"email": email, "password": password,
                                    "csrf_token": token or self.token()})
