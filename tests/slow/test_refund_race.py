"""Admins approving refunds of one invoice at the same moment, each in its own process with its
own connection: the invoice row lock (BEGIN IMMEDIATE on SQLite, SELECT ... FOR UPDATE on
PostgreSQL) makes each approval see the ones before it, so together they never refund more
than was paid."""
from collections import Counter

import pytest

from portal.audit import AuditEvent
from portal.billing.invoices import open_invoice
from portal.billing.models import Refund
from portal.billing.payments import record_payment
from portal.kernel.actors import Actor
from portal.kernel.db import database
from portal.messaging.models import OutboxMessage
from tests.support import refund_race_worker
from tests.support.processes import run_together

RACERS = 10
DEADLINE = 120


def _racing_requests(world, amounts):
    """A $90.00 invoice paid in full and one request per amount. request_refund would refuse
    requests adding up past what was paid, so they are written directly: the decision must
    hold the line on its own (imports, hand edits, requests made before a payment was voided)."""
    admin = Actor("admin", world.admin.id, world.admin.name)
    invoice = open_invoice(world.upcoming, world.service, world.settings)
    record_payment(invoice.id, 9000, "card", "ch_race", admin)
    refunds = [Refund.create(invoice=invoice.id, amount=amount, requested_by_kind="admin",
                             requested_by_id=world.admin.id, reason=f"Racer {i}")
               for i, amount in enumerate(amounts)]
    assert not database.in_transaction()
    database.close()
    return admin, refunds


def _race(database_url, admin, refunds):
    outcomes = run_together(
        refund_race_worker.approve_when_released, len(refunds), DEADLINE,
        args_for=lambda i: (i, database_url, refunds[i].id, (admin.kind, admin.id, admin.label)))
    database.connect(reuse_if_open=True)
    return outcomes


@pytest.mark.slow
def test_ten_admins_approving_at_once_never_refund_more_than_was_paid(database_url, world):
    admin, refunds = _racing_requests(world, [2000] * RACERS)  # $200 asked of $90 paid
    outcomes = _race(database_url, admin, refunds)

    statuses = Counter(o["status"] for o in outcomes)
    assert statuses == {"ok": 4, "too_much": RACERS - 4}, statuses  # 4 × $20 fit in $90
    assert all(o["body"] == "This would refund more than was paid." for o in outcomes
               if o["status"] == "too_much")
    approved = {o["refund_id"] for o in outcomes if o["status"] == "ok"}
    rows = {r.id: r for r in Refund.select()}
    assert {i for i, r in rows.items() if r.status == "approved"} == approved
    assert all(r.status == "requested" and r.version == 1 for i, r in rows.items()
               if i not in approved)
    assert sum(rows[i].amount for i in approved) == 8000
    assert sorted(e.subject_id for e in AuditEvent.select().where(
        AuditEvent.action == "refund_approved")) == sorted(approved)
    # Each approval emailed its customer once; a refused one sent nothing.
    assert OutboxMessage.select().where(OutboxMessage.subject.startswith(
        "Refund approved")).count() == len(approved)


@pytest.mark.slow
def test_two_admins_whose_approvals_only_fit_one_at_a_time(database_url, world):
    admin, refunds = _racing_requests(world, [6000, 5000])
    outcomes = _race(database_url, admin, refunds)

    assert sorted(o["status"] for o in outcomes) == ["ok", "too_much"], outcomes
    [winner] = [o["refund_id"] for o in outcomes if o["status"] == "ok"]
    assert [r.id for r in Refund.select().where(Refund.status == "approved")] == [winner]


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(3))
def test_a_cancellation_and_a_hand_made_request_never_ask_for_more_than_was_paid(
        database_url, world, round_):
    """The cancellation reads what was asked for under the invoice's lock: whichever comes
    first, $90 paid is asked back once, and the cancellation itself always goes through."""
    admin = Actor("admin", world.admin.id, world.admin.name)
    invoice = open_invoice(world.upcoming, world.service, world.settings)
    record_payment(invoice.id, 9000, "card", "ch_race", admin)
    customer = ("customer", world.customer.id, world.customer.name)
    database.close()
    outcomes = run_together(
        refund_race_worker.cancel_or_ask_when_released, 2, DEADLINE,
        args_for=lambda i: (i, database_url, world.upcoming.ref, invoice.id, customer,
                            (admin.kind, admin.id, admin.label)))
    database.connect(reuse_if_open=True)
    by_racer = {o["index"]: o for o in outcomes}
    assert by_racer[0]["status"] == "ok", by_racer[0]
    [refund] = Refund.select()
    assert refund.amount == 9000
    # The hand-made request won, or was refused because the cancellation had asked already.
    if by_racer[1]["status"] == "ok":
        assert refund.requested_by_kind == "admin"
    else:
        assert by_racer[1]["status"] == "too_much" and refund.requested_by_kind == "customer"
