"""Spawn target for tests/slow/test_report_summary.py: one process changing bookings and refreshing
the report summary after each change, as a busy admin and the report page would at once.

Kept apart from the test module so a spawned child imports only this and the app.
"""
import os
import traceback
from datetime import timedelta

BARRIER_TIMEOUT = 60


def churn(database_url, refs, tz, barrier, results):
    try:
        os.environ["SECRET_KEY"] = "test-secret"  # never write instance/secret_key
        from portal import create_app
        from portal.kernel.actors import Actor
        from portal.bookings.models import Booking
        from portal.bookings.services import cancel_booking
        from portal.kernel.db import database, write_transaction
        from portal.reports import summary
        app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
                          "BASE_URL": "http://localhost"})
        admin = Actor("admin", None, "Race")
        with app.app_context(), app.test_request_context(), database.connection_context():
            barrier.wait(BARRIER_TIMEOUT)
            for n, ref in enumerate(refs):
                if n % 2:
                    with write_transaction():  # a move to the next day
                        moved = Booking.get(Booking.ref == ref)
                        Booking.update(starts_at=moved.starts_at + timedelta(days=1),
                                       ends_at=moved.ends_at + timedelta(days=1)).where(
                            Booking.id == moved.id).execute()
                cancel_booking(ref, admin, channel="admin")
                summary.refresh(tz)
        results.put({"status": "ok", "changed": len(refs)})
    except BaseException:
        barrier.abort()
        results.put({"status": "error", "body": traceback.format_exc()})
