"""What every spawned racer shares (tests/support/*race_worker.py): its own app and database
connection, the CSRF token of a page, and a domain call made straight after the barrier.

Imports nothing of pytest's, so a spawned child loads only this, its worker and the app."""
import os
import re
import time
import traceback

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
BARRIER_TIMEOUT = 60


def csrf(response):
    match = CSRF_RE.search(response.get_data(as_text=True))
    if match is None:
        raise AssertionError(f"no CSRF token in the {response.status_code} response")
    return match.group(1)


def child_app(database_url, **config):
    """The app a racer runs, on `database_url`, mail pointed nowhere."""
    # create_app reads SECRET_KEY from here first; otherwise it may write instance/secret_key.
    os.environ["SECRET_KEY"] = "race-secret"
    from portal import create_app
    return create_app({"TESTING": True, "DATABASE_URL": database_url,
                       "SECRET_KEY": "race-secret", "BASE_URL": "http://localhost",
                       "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 1,
                       "MAIL_DEFAULT_SENDER": "Rebook <bookings@example.com>", **config})


def call_when_released(index, database_url, prepare, barrier, results, **report):
    """In this child's own app: `prepare()` (importing what it needs) gives the call, made
    straight after the barrier. Puts on `results` {"index", "status", "body", "released",
    "answered", **report}: status "ok", or the DomainError's code and message (the database
    decides who wins). On any other failure the status is "error" and the body a traceback; a
    child that fails before the barrier breaks it, so the others stop waiting."""
    try:
        app = child_app(database_url)
        with app.app_context():
            from portal.kernel.db import database
            from portal.kernel.errors import DomainError
            database.connect(reuse_if_open=True)
            run = prepare()
            barrier.wait(BARRIER_TIMEOUT)
            released_at = time.time()
            try:
                run()
                status, body = "ok", ""
            except DomainError as exc:
                status, body = exc.code, exc.message
            database.close()
        results.put({"index": index, "status": status, "body": body, "released": released_at,
                     "answered": time.time(), **report})
    except BaseException:
        barrier.abort()
        results.put({"index": index, "status": "error", "body": traceback.format_exc()})
