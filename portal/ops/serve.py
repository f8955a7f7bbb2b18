"""`flask --app wsgi serve`: gunicorn and the worker as one foreground command (`make run`).

Starts the web server (gunicorn with deploy/gunicorn.conf.py) and the worker (`flask outbox
work`: outbox delivery and reminders) as child processes, then watches them:

- Ctrl-C or SIGTERM is passed on to both as SIGTERM (each stops gracefully), and after
  STOP_SECONDS whatever is still running is killed;
- when either child exits on its own, the other is stopped too and serve exits non-zero, so
  a half-running portal (web without worker, or the reverse) never goes unnoticed.

In production systemd runs the two as separate units instead (deploy/*.service).
"""
import ctypes
import os
import signal
import subprocess
import sys
import time

from ..kernel.config import ROOT

GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
STOP_SECONDS = 25
PR_SET_PDEATHSIG = 1


def commands():
    """name -> argv of each child, run from the project root with this Python."""
    return {
        "web": [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), "wsgi:app"],
        "worker": [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "work"],
    }


def _die_with_parent():
    """Linux: the child gets SIGTERM if serve itself is killed (SIGKILL cannot be passed on)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def supervise(children, env, echo, stop_seconds=STOP_SECONDS):
    """Run `children` (name -> argv) until a signal or until one exits. Returns the exit code."""
    asked = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda signum, frame: asked.append(signum))
    procs = {}
    try:
        for name, argv in children.items():
            procs[name] = subprocess.Popen(argv, cwd=ROOT, env=env, preexec_fn=_die_with_parent)
        echo("serve: " + ", ".join(f"{n} pid {p.pid}" for n, p in procs.items())
             + "; Ctrl-C stops everything")
        ended = None
        while not asked and ended is None:
            time.sleep(0.2)
            ended = next((n for n, p in procs.items() if p.poll() is not None), None)
        if asked:
            # Ctrl-C reaches the whole process group: a child may well have stopped on its
            # own by the time we look. That is the stop that was asked for, not a failure.
            return 0
        echo(f"serve: {ended} exited with code {procs[ended].returncode}; stopping the rest")
        return 1
    finally:
        _stop_all(procs, stop_seconds)


def _stop_all(procs, stop_seconds):
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + stop_seconds
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def serve(port, workers, echo):
    env = dict(os.environ, PORT=str(port))
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    return supervise(commands(), env, echo)
