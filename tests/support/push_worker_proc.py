"""Spawn target for tests/slow/test_push_workers.py: one worker process sending Web Push.

Kept apart from the test module so a spawned child imports only this and the app. Each child
builds its own app (its own database connection), waits at the barrier so the workers start
together, then calls push_send.work_once (fan-out, claim, send) until a call finds nothing."""
import os
import traceback

BARRIER_TIMEOUT = 60


def drain(name, database_url, barrier, results, batch=5):
    try:
        os.environ["SECRET_KEY"] = "worker-secret"  # create_app never writes instance/secret_key
        from portal import create_app
        from portal.kernel.db import database
        from portal.messaging.push_send import work_once
        app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "worker-secret",
                          "BASE_URL": "http://localhost",
                          "MAIL_DEFAULT_SENDER": "Rebook <bookings@example.com>",
                          "PUSH_ALLOWED_HOSTS": "127.0.0.1"})
        sent = failed = 0
        with app.app_context(), database.connection_context():
            barrier.wait(BARRIER_TIMEOUT)
            while True:
                s, f = work_once(batch)
                if not (s or f):
                    break
                sent, failed = sent + s, failed + f
        results.put({"name": name, "status": "ok", "sent": sent, "failed": failed})
    except BaseException:
        barrier.abort()
        results.put({"name": name, "status": "error", "body": traceback.format_exc()})
