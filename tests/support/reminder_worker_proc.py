"""Spawn target for tests/slow/test_reminders_concurrency.py: one process running the reminders.

Kept apart from the test module so a spawned child imports only this and the app. Each child
builds its own app (its own database connection), waits at the barrier so all start together,
runs send_due_reminders once and reports how many reminders it says it queued.
"""
import os
import traceback

BARRIER_TIMEOUT = 60


def run_reminders(name, database_url, barrier, results):
    try:
        os.environ["SECRET_KEY"] = "test-secret"  # never write instance/secret_key
        from portal import create_app
        from portal.kernel.db import database
        from portal.messaging.reminders import send_due_reminders
        app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
                          "BASE_URL": "http://localhost"})
        with app.app_context(), database.connection_context():
            barrier.wait(BARRIER_TIMEOUT)
            queued = send_due_reminders()
        results.put({"name": name, "status": "ok", "queued": queued})
    except BaseException:
        barrier.abort()
        results.put({"name": name, "status": "error", "body": traceback.format_exc()})
