"""Spawn target for tests/slow/test_outbox_resilience.py: one outbox worker process.

Kept apart from the test module so a spawned child imports only this and the app, not pytest's
conftest. Each child builds its own app (its own database connection), waits at the barrier so
the workers start together, then loops work_once until a call finds nothing to claim: either
everything is sent or what is left is claimed by the other worker.
"""
import os
import time
import traceback

BARRIER_TIMEOUT = 60


def drain(name, database_url, mail_port, barrier, results, batch=50):
    """Put a dict on `results`: how many this worker sent and failed in how many batches, or
    status "error" with a traceback (and the barrier broken, so the other stops waiting)."""
    try:
        # create_app reads SECRET_KEY from here first; otherwise it may write instance/secret_key.
        os.environ["SECRET_KEY"] = "worker-secret"
        from portal import create_app
        from portal.kernel.db import database
        from portal.messaging.outbox import work_once
        app = create_app({
            "DATABASE_URL": database_url,
            "SECRET_KEY": "worker-secret",
            "BASE_URL": "http://localhost",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": mail_port,
            "MAIL_SUPPRESS_SEND": False,
            "MAIL_DEFAULT_SENDER": "Rebook <bookings@example.com>",
        })
        sent = failed = batches = 0
        with app.app_context(), database.connection_context():
            barrier.wait(BARRIER_TIMEOUT)
            started = time.monotonic()
            while True:
                s, f = work_once(batch)
                if not (s or f):
                    break
                sent, failed, batches = sent + s, failed + f, batches + 1
        results.put({"name": name, "status": "ok", "sent": sent, "failed": failed,
                     "batches": batches, "seconds": round(time.monotonic() - started, 2)})
    except BaseException:
        barrier.abort()
        results.put({"name": name, "status": "error", "body": traceback.format_exc()})
