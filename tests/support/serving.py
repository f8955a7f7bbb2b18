"""Real server processes for the serving tests: gunicorn with the shipped config, `flask serve`,
`make run`, each in its own session (process group) on a free loopback port, and stopped with
everything it started, whatever the test's outcome."""
import http.client
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from tests.support.servers import free_port  # noqa: F401 (the serving tests import it here)

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"



def app_env(database_url, port, **extra):
    """The environment a server process gets: the test database, loopback only, no real SMTP."""
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="test-secret",
               BASE_URL="http://localhost", MAIL_SERVER="127.0.0.1", MAIL_PORT="1",
               PORT=str(port), PYTHONUNBUFFERED="1",
               WEBHOOK_ALLOWED_HOSTS="127.0.0.1")  # test receivers listen on loopback
    env.update({k: str(v) for k, v in extra.items()})
    return env


def fetch(port, path, method="GET", headers=None, timeout=10):
    """(status, headers dict, body text) straight to 127.0.0.1 (no proxy settings apply)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode(
            errors="replace")
    finally:
        conn.close()


def session_pids(sid):
    """Every live process in session `sid` (the server and all it started)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[3]) == sid:  # state, ppid, pgrp, session
            pids.append(int(entry.name))
    return pids


class Server:
    def __init__(self, argv, env, log_path, port):
        self.port = port
        self.log_path = Path(log_path)
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def output(self):
        return self.log_path.read_text(errors="replace")

    def wait_until_up(self, path="/healthz", timeout=60):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited ({self.proc.returncode}):\n{self.output()}")
            try:
                if fetch(self.port, path, timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"server not up in {timeout}s:\n{self.output()}")

    def wait_for_output(self, text, timeout=30):
        end = time.monotonic() + timeout
        while text not in self.output():
            assert time.monotonic() < end, f"never printed {text!r}:\n{self.output()}"
            time.sleep(0.2)

    def signal_group(self, signum):
        os.killpg(self.proc.pid, signum)

    def wait_stopped(self, timeout=30):
        """Wait for the server and everything in its session to exit; True when they did."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None and not session_pids(self.proc.pid):
                return True
            time.sleep(0.2)
        return False

    def stop(self):
        if self.proc.poll() is None or session_pids(self.proc.pid):
            try:
                self.signal_group(signal.SIGTERM)
            except ProcessLookupError:
                pass
            if not self.wait_stopped(30):
                for pid in session_pids(self.proc.pid):
                    os.kill(pid, signal.SIGKILL)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._log.close()


@contextmanager
def running(argv, env, log_path, port, up_path="/healthz", timeout=60):
    server = Server(argv, env, log_path, port)
    try:
        if up_path:
            server.wait_until_up(up_path, timeout)
        yield server
    finally:
        server.stop()


def gunicorn_argv(*extra):
    return [str(BIN / "gunicorn"), "-c", str(GUNICORN_CONFIG), *extra, "wsgi:app"]
