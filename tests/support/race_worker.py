"""Spawn target for tests/slow/test_concurrency.py: one process, one customer, one cancel POST.

Kept apart from the test module so a spawned child imports only this and the app, not pytest's
conftest. Each child builds its own app (its own database connection), logs in, loads the
booking page for a CSRF token, then waits at the barrier so every POST leaves together.
"""
import os
import re
import time
import traceback

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
BARRIER_TIMEOUT = 60


def _csrf(response):
    match = CSRF_RE.search(response.get_data(as_text=True))
    if match is None:
        raise AssertionError(f"no CSRF token in the {response.status_code} response")
    return match.group(1)


def cancel_when_released(index, database_url, email, ref, version, login_lock, barrier,
                         results):
    """Put a dict on `results`: the POST's status and body, when this child left the barrier
    and got its answer (time.time()), and seconds from the call to the end of each step (phases).
    On any failure the status is "error" and the body a traceback; a child that fails before
    the barrier breaks it, so the others stop waiting."""
    started = time.time()
    phases = {}
    try:
        # create_app reads SECRET_KEY from here first; otherwise it may write instance/secret_key.
        os.environ["SECRET_KEY"] = "race-secret"
        from portal import create_app
        app = create_app({
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "race-secret",
            "BASE_URL": "http://localhost",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": 1,
            "MAIL_DEFAULT_SENDER": "Rebook <bookings@example.com>",
        })
        phases["app"] = round(time.time() - started, 3)
        client = app.test_client()
        # One login at a time: the login limit holds a try while a password is checked, so
        # twenty logins to one account in the same instant would be refused past the fifth.
        with login_lock:
            response = client.post("/login", data={"email": email, "password": "demo",
                                                    "csrf_token": _csrf(client.get("/login"))})
        if response.status_code != 302:
            raise AssertionError(f"login answered {response.status_code}")
        phases["login"] = round(time.time() - started, 3)
        page = client.get(f"/bookings/{ref}")
        if page.status_code != 200:
            raise AssertionError(f"booking page answered {page.status_code}")
        token = _csrf(page)
        phases["page"] = round(time.time() - started, 3)
        barrier.wait(BARRIER_TIMEOUT)
        released_at = time.time()
        response = client.post(f"/bookings/{ref}/cancel",
                               data={"csrf_token": token, "version": version,
                                     "note": f"Racer {index}"})
        results.put({"index": index, "status": response.status_code,
                     "body": response.get_data(as_text=True), "released": released_at,
                     "answered": time.time(), "phases": phases})
    except BaseException:
        barrier.abort()
        results.put({"index": index, "status": "error", "body": traceback.format_exc(),
                     "phases": phases})


def _app(database_url):
    os.environ["SECRET_KEY"] = "race-secret"
    from portal import create_app
    return create_app({"TESTING": True, "DATABASE_URL": database_url,
                       "SECRET_KEY": "race-secret", "BASE_URL": "http://localhost",
                       "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 1,
                       "MAIL_DEFAULT_SENDER": "Rebook <bookings@example.com>"})


def command_when_released(index, database_url, command, args, barrier, results):
    """Call one scheduling command (book / reschedule / cancel) straight after the barrier and
    report "ok" or the domain error's code; the database decides who wins."""
    try:
        app = _app(database_url)
        with app.app_context():
            from portal.kernel.actors import Actor
            from portal.bookings import scheduling, services
            from portal.kernel.db import database
            from portal.kernel.errors import DomainError
            database.connect(reuse_if_open=True)
            actor = Actor(*args["actor"])
            run = {"book": lambda: scheduling.book_appointment(
                       args["customer"], args["service"], args["starts_at"], actor,
                       channel="portal"),
                   "reschedule": lambda: scheduling.reschedule_booking(
                       args["ref"], actor, channel="portal", starts_at=args["starts_at"]),
                   "cancel": lambda: services.cancel_booking(args["ref"], actor,
                                                             channel="portal")}[command]
            barrier.wait(BARRIER_TIMEOUT)
            released_at = time.time()
            try:
                run()
                status, body = "ok", ""
            except DomainError as exc:
                status, body = exc.code, exc.message
            database.close()
        results.put({"index": index, "command": command, "status": status, "body": body,
                     "released": released_at, "answered": time.time()})
    except BaseException:
        barrier.abort()
        results.put({"index": index, "status": "error", "body": traceback.format_exc()})
