"""The production server for real: gunicorn with deploy/gunicorn.conf.py, `flask serve` (web +
worker, one Ctrl-C), and `make run`, each as real processes on a free loopback port against the
test database (SQLite, or PostgreSQL with REBOOK_TEST_DB=postgres)."""
import re
import signal
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

from portal.accounts.models import RESET
from portal.accounts.tokens import issue
from portal.bookings.links import make_token
from portal.kernel.clock import utcnow
from portal.messaging.outbox import enqueue_email
from tests.support.serving import (BIN, app_env, fetch, free_port, gunicorn_argv, running,
                                   session_pids)

pytestmark = pytest.mark.slow

DEV_WARNING = "development server"
REQUEST_LINE = re.compile(r"level=INFO logger=rebook\.request request_id=(\S+) method=(\S+) "
                          r"route=(\S+) status=(\d+) duration_ms=[\d.]+")


def test_gunicorn_serves_with_the_shipped_config_on_loopback(app, database_url, tmp_path):
    port = free_port()
    with running(gunicorn_argv(), app_env(database_url, port, WEB_CONCURRENCY=2),
                 tmp_path / "web.log", port) as server:
        assert fetch(port, "/healthz")[::2] == (200, "ok\n")
        status, headers, body = fetch(port, "/readyz")
        assert (status, body) == (200, "ready\n")
        assert "Set-Cookie" not in headers and headers["Cache-Control"] == "no-store"
        assert fetch(port, "/login")[0] == 200
    log = server.output()
    assert f"Listening at: http://127.0.0.1:{port}" in log
    assert len(re.findall(r"Booting worker with pid", log)) == 2
    assert DEV_WARNING not in log.lower()


def test_readyz_is_503_with_a_reason_while_healthz_stays_up_when_the_database_is_down(tmp_path):
    port, closed = free_port(), free_port()  # nothing listens on `closed`
    down = f"postgresql://rebook@127.0.0.1:{closed}/rebook"
    with running(gunicorn_argv(), app_env(down, port), tmp_path / "web.log", port) as server:
        assert fetch(port, "/healthz")[::2] == (200, "ok\n")
        status, headers, body = fetch(port, "/readyz")
        assert status == 503 and body == "not ready: database unreachable (OperationalError)\n"
        assert headers["Content-Type"].startswith("text/plain")
    assert "readyz: database unreachable" in server.output()  # the detail is in the log


def test_tokens_never_reach_the_logs_of_a_real_gunicorn(app, world, database_url, tmp_path):
    secret = app.config["SECRET_KEY"]
    tokens = {p: make_token(secret, p, world.upcoming) for p in ("view", "cancel", "reschedule")}
    reset_token, _ = issue(world.customer, RESET, utcnow())
    junk = "NotARealTokenButSecretLooking123"
    paths = {f"/l/{tokens['view']}": ("/l/<token>", 200),
             f"/l/{tokens['cancel']}/cancel": ("/l/<token>/cancel", 200),
             f"/l/{tokens['reschedule']}/reschedule": ("/l/<token>/reschedule", 200),
             f"/account/reset/{reset_token}": ("/account/reset/<token>", 200),
             f"/account/invite/{junk}": ("/account/invite/<token>", 404),
             f"/nowhere/{junk}?t={junk}": ("-", 404)}
    port = free_port()
    with running(gunicorn_argv(), app_env(database_url, port, LOG_LEVEL="DEBUG"),
                 tmp_path / "web.log", port) as server:
        for path, (_, status) in paths.items():
            assert fetch(port, path)[0] == status, path
        status, headers, _ = fetch(port, f"/l/{tokens['view']}",
                                   headers={"X-Request-ID": "proxy-abc.123"})
        assert headers["X-Request-ID"] == "proxy-abc.123"
    log = server.output()
    for secret_part in [*tokens.values(), reset_token, junk]:
        assert secret_part not in log
    lines = REQUEST_LINE.findall(log)
    logged = [(route, int(status)) for _, method, route, status in lines if route != "/healthz"]
    assert logged == [*paths.values(), ("/l/<token>", 200)]
    assert lines[-1][0] == "proxy-abc.123"


class _Collector(Sink):
    def __init__(self):
        self.subjects = []

    async def handle_DATA(self, server, session, envelope):
        match = re.search(rb"^Subject: *(.*?)\r?$", envelope.content, re.MULTILINE)
        self.subjects.append(match.group(1).decode() if match else "")
        return "250 OK"


def serve_argv(port):
    return [str(BIN / "flask"), "--app", "wsgi", "serve", "--port", str(port)]


def test_serve_runs_web_and_worker_and_one_ctrl_c_stops_everything(app, world, database_url,
                                                                   tmp_path):
    """The worker runs without any MAIL_SERVER set up for it: it delivers what is queued and
    queues the reminder that is due (the booking 5 hours ahead) on its own schedule."""
    enqueue_email(dedupe_key="serve-test", to="a@example.com", subject="Queued before start",
                  text="hello")
    handler = _Collector()
    smtp = Controller(handler, hostname="127.0.0.1", port=free_port())
    smtp.start()
    port = free_port()
    try:
        with running(serve_argv(port), app_env(database_url, port, MAIL_PORT=smtp.port),
                     tmp_path / "serve.log", port) as server:
            assert fetch(port, "/login")[0] == 200
            server.wait_for_output("reminders: queued 1")
            server.wait_for_output("outbox: sent")
            pids = session_pids(server.proc.pid)
            assert len(pids) >= 4  # serve, gunicorn master and its worker(s), outbox worker
            server.signal_group(signal.SIGINT)  # what Ctrl-C in the terminal does
            assert server.wait_stopped(30), session_pids(server.proc.pid)
            assert server.proc.returncode == 0
    finally:
        smtp.stop()
    assert "Queued before start" in handler.subjects
    assert any(s.startswith("Reminder:") for s in handler.subjects), handler.subjects
    assert DEV_WARNING not in server.output().lower()
    assert "worker: stopped" in server.output()


def test_serve_stops_the_web_server_when_the_worker_dies(app, database_url, tmp_path):
    port = free_port()
    with running(serve_argv(port), app_env(database_url, port), tmp_path / "serve.log",
                 port) as server:
        server.wait_for_output("worker pid")
        worker = int(re.search(r"worker pid (\d+)", server.output()).group(1))
        subprocess.run(["kill", "-KILL", str(worker)], check=True)
        assert server.wait_stopped(30), session_pids(server.proc.pid)
        assert server.proc.returncode == 1
        assert "worker exited with code -9; stopping the rest" in server.output()


def test_make_run_serves_the_demo_through_gunicorn_with_the_worker(make_database_url,
                                                                   tmp_path):
    port = free_port()
    env = app_env(make_database_url("make_run"), port)
    with running(["make", "-s", "run", f"PORT={port}"], env, tmp_path / "make.log", port,
                 timeout=180) as server:
        status, _, page = fetch(port, "/login")
        assert status == 200 and "Log in" in page
        server.wait_for_output("worker: delivering")
        server.signal_group(signal.SIGINT)
        assert server.wait_stopped(30), session_pids(server.proc.pid)
    output = server.output()
    assert "demo data loaded" in output and f"Listening at: http://127.0.0.1:{port}" in output
    assert DEV_WARNING not in output.lower()
