"""Spawn target for tests/slow/test_series_race.py: one process, one cancellation of a series
visit (the whole series, or one visit alone), called straight after the barrier."""
from tests.support.racing import call_when_released


def cancel_when_released(index, database_url, command, args, barrier, results):
    """Report "ok" or the domain error's code; the database decides who wins."""
    def prepare():
        from portal.bookings import series_cancel, services
        from portal.kernel.actors import Actor
        actor = Actor(*args["actor"])
        return {"series": lambda: series_cancel.cancel_series(
                    args["ref"], actor, scope="all", channel="portal",
                    versions=args["versions"]),
                "visit": lambda: services.cancel_booking(args["ref"], actor,
                                                         channel="portal")}[command]
    call_when_released(index, database_url, prepare, barrier, results, command=command)
