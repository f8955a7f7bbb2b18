"""Spawn target for tests/slow/test_concurrency.py: one process, one customer, one cancel POST.

Kept apart from the test module so a spawned child imports only this and the app, not pytest's
conftest. Each child builds its own app (its own database connection), logs in, loads the
booking page for a CSRF token, then waits at the barrier so every POST leaves together.
"""
import time
import traceback

from tests.support.racing import BARRIER_TIMEOUT, call_when_released, child_app, csrf


def cancel_when_released(index, database_url, email, ref, version, login_lock, barrier,
                         results):
    """Put a dict on `results`: the POST's status and body, when this child left the barrier
    and got its answer (time.time()), and seconds from the call to the end of each step (phases).
    On any failure the status is "error" and the body a traceback; a child that fails before
    the barrier breaks it, so the others stop waiting."""
    started = time.time()
    phases = {}
    try:
        app = child_app(database_url)
        phases["app"] = round(time.time() - started, 3)
        client = app.test_client()
        # One login at a time: the login limit holds a try while a password is checked, so
        # twenty logins to one account in the same instant would be refused past the fifth.
        with login_lock:
            response = client.post("/login", data={"email": email, "password": "demo",
                                                    "csrf_token": csrf(client.get("/login"))})
        if response.status_code != 302:
            raise AssertionError(f"login answered {response.status_code}")
        phases["login"] = round(time.time() - started, 3)
        page = client.get(f"/bookings/{ref}")
        if page.status_code != 200:
            raise AssertionError(f"booking page answered {page.status_code}")
        token = csrf(page)
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


def command_when_released(index, database_url, command, args, barrier, results):
    """Call one scheduling command (book / reschedule / cancel) straight after the barrier and
    report "ok" or the domain error's code; the database decides who wins."""
    def prepare():
        from portal.bookings import scheduling, services
        from portal.kernel.actors import Actor
        actor = Actor(*args["actor"])
        return {"book": lambda: scheduling.book_appointment(
                    args["customer"], args["service"], args["starts_at"], actor,
                    channel="portal"),
                "reschedule": lambda: scheduling.reschedule_booking(
                    args["ref"], actor, channel="portal", starts_at=args["starts_at"]),
                "cancel": lambda: services.cancel_booking(args["ref"], actor,
                                                          channel="portal")}[command]
    call_when_released(index, database_url, prepare, barrier, results, command=command)
