"""Spawn target for tests/slow/test_refund_race.py: one process, one admin, one refund approval.

Kept apart from the test module so a spawned child imports only this and the app, not pytest's
conftest. Each child builds its own app (its own database connection) and waits at the barrier
so every approval starts together; only the invoice row lock keeps them apart.
"""
import os
import time
import traceback

BARRIER_TIMEOUT = 60


def _app(database_url):
    # create_app reads SECRET_KEY from here first; otherwise it may write instance/secret_key.
    os.environ["SECRET_KEY"] = "race-secret"
    from portal import create_app
    return create_app({"TESTING": True, "DATABASE_URL": database_url,
                       "SECRET_KEY": "race-secret", "BASE_URL": "http://localhost",
                       "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 1,
                       "MAIL_DEFAULT_SENDER": "Rebook <bookings@example.com>"})


def approve_when_released(index, database_url, refund_id, actor, barrier, results):
    """Approve `refund_id` as `actor` (kind, id, label) straight after the barrier; report "ok"
    or the domain error's code and message. On any other failure the status is "error" and the
    body a traceback; a child that fails before the barrier breaks it, so the others stop."""
    try:
        app = _app(database_url)
        with app.app_context():
            from portal.kernel.actors import Actor
            from portal.billing.refunds import approve_refund
            from portal.kernel.db import database
            from portal.kernel.errors import DomainError
            database.connect(reuse_if_open=True)
            barrier.wait(BARRIER_TIMEOUT)
            released_at = time.time()
            try:
                approve_refund(refund_id, Actor(*actor), note=f"Racer {index}")
                status, body = "ok", ""
            except DomainError as exc:
                status, body = exc.code, exc.message
            database.close()
        results.put({"index": index, "refund_id": refund_id, "status": status, "body": body,
                     "released": released_at, "answered": time.time()})
    except BaseException:
        barrier.abort()
        results.put({"index": index, "status": "error", "body": traceback.format_exc()})


def cancel_or_ask_when_released(index, database_url, ref, invoice_id, customer, admin, barrier,
                                results):
    """Racer 0 cancels booking `ref` as its customer (the cancellation asks for the refund the
    policy gives); racer 1 is an admin asking for everything paid on `invoice_id` by hand."""
    try:
        app = _app(database_url)
        with app.app_context():
            from portal.billing.refunds import request_refund
            from portal.bookings.services import cancel_booking
            from portal.kernel.actors import Actor
            from portal.kernel.db import database
            from portal.kernel.errors import DomainError
            database.connect(reuse_if_open=True)
            barrier.wait(BARRIER_TIMEOUT)
            try:
                if index == 0:
                    cancel_booking(ref, Actor(*customer), channel="portal")
                else:
                    request_refund(invoice_id, 9000, "By hand", Actor(*admin), channel="admin")
                status, body = "ok", ""
            except DomainError as exc:
                status, body = exc.code, exc.message
            database.close()
        results.put({"index": index, "status": status, "body": body})
    except BaseException:
        barrier.abort()
        results.put({"index": index, "status": "error", "body": traceback.format_exc()})
