"""Spawn target for tests/slow/test_refund_race.py: one process, one admin, one refund approval.

Kept apart from the test module so a spawned child imports only this and the app, not pytest's
conftest. Each child builds its own app (its own database connection) and waits at the barrier
so every approval starts together; only the invoice row lock keeps them apart.
"""
from tests.support.racing import call_when_released


def approve_when_released(index, database_url, refund_id, actor, barrier, results):
    """Approve `refund_id` as `actor` (kind, id, label) straight after the barrier; report "ok"
    or the domain error's code and message (tests/support/racing.py)."""
    def prepare():
        from portal.billing.refunds import approve_refund
        from portal.kernel.actors import Actor
        return lambda: approve_refund(refund_id, Actor(*actor), note=f"Racer {index}")
    call_when_released(index, database_url, prepare, barrier, results, refund_id=refund_id)


def cancel_or_ask_when_released(index, database_url, ref, invoice_id, customer, admin, barrier,
                                results):
    """Racer 0 cancels booking `ref` as its customer (the cancellation asks for the refund the
    policy gives); racer 1 is an admin asking for everything paid on `invoice_id` by hand."""
    def prepare():
        from portal.billing.refunds import request_refund
        from portal.bookings.services import cancel_booking
        from portal.kernel.actors import Actor
        if index == 0:
            return lambda: cancel_booking(ref, Actor(*customer), channel="portal")
        return lambda: request_refund(invoice_id, 9000, "By hand", Actor(*admin),
                                      channel="admin")
    call_when_released(index, database_url, prepare, barrier, results)
