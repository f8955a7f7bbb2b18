"""Spawn target for tests/slow/test_series_race.py: one process, one cancellation of a series
visit (the whole series, or one visit alone), called straight after the barrier."""
import time
import traceback

from tests.support.race_worker import BARRIER_TIMEOUT, _app


def cancel_when_released(index, database_url, command, args, barrier, results):
    """Report "ok" or the domain error's code; the database decides who wins."""
    try:
        app = _app(database_url)
        with app.app_context():
            from portal.bookings import series_cancel, services
            from portal.kernel.actors import Actor
            from portal.kernel.db import database
            from portal.kernel.errors import DomainError
            database.connect(reuse_if_open=True)
            actor = Actor(*args["actor"])
            run = {"series": lambda: series_cancel.cancel_series(
                       args["ref"], actor, scope="all", channel="portal",
                       versions=args["versions"]),
                   "visit": lambda: services.cancel_booking(args["ref"], actor,
                                                            channel="portal")}[command]
            barrier.wait(BARRIER_TIMEOUT)
            try:
                run()
                status, body = "ok", ""
            except DomainError as exc:
                status, body = exc.code, exc.message
            database.close()
        results.put({"index": index, "command": command, "status": status, "body": body,
                     "answered": time.time()})
    except BaseException:
        results.put({"index": index, "status": "error", "body": traceback.format_exc()})
        barrier.abort()
