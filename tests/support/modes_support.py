"""Helpers for the demo/production mode, setup and backup tests: the session app switched to
production mode, and the `flask` command run as an operator would, in a child process."""
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]
# Variables a test must set itself: never inherit the developer's or another test's.
OWNED = ("SECRET_KEY", "SECRET_KEY_FILE", "REBOOK_MODE", "DATABASE_URL", "REBOOK_ADMIN_PASSWORD")
GOOD_PASSWORD = "correct horse battery"


@contextmanager
def production_mode(app):
    """The session app in production mode; the 'is it set up?' answer it keeps is forgotten
    on the way in and out, since tests empty the staff table between them."""
    from portal.web.app.setup import DONE
    app.config["REBOOK_MODE"] = "production"
    app.extensions.pop(DONE, None)
    try:
        yield app
    finally:
        app.config["REBOOK_MODE"] = "demo"
        app.extensions.pop(DONE, None)


def child_env(**values):
    env = {k: v for k, v in os.environ.items() if k not in OWNED}
    env.update({k: str(v) for k, v in values.items() if v is not None})
    return env


def run_flask(*args, input=None, timeout=120, **env):
    """`flask --app wsgi ARGS` with exactly the given Rebook variables; returns the result."""
    return subprocess.run([*FLASK, *args], cwd=ROOT, env=child_env(**env), input=input,
                          capture_output=True, text=True, timeout=timeout)


def setup_fields(**changes):
    fields = {"business_name": "Tidy Homes Ltd", "timezone": "Europe/London",
              "currency": "GBP", "name": "Pat Owner", "email": "pat@tidyhomes.example",
              "password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD}
    fields.update(changes)
    return fields
