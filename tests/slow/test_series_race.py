"""Whole-series cancellations racing each other and single-visit cancellations, in real
processes: every visit ends cancelled exactly once, at most one series choice wins, and every
loser is told the page is out of date or the visit is already cancelled."""
from collections import Counter

import pytest

from portal.audit import AuditEvent
from portal.bookings.models import CANCELLED, Booking
from portal.bookings.schedule_models import SlotClaim
from portal.bookings.series import book_series
from portal.bookings.series_cancel import ALL, choices
from portal.bookings.series_models import WEEKLY
from portal.bookings.series_rules import Rule
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.kernel.db import database
from portal.messaging.models import OutboxMessage
from tests.support import series_race_worker
from tests.support.processes import run_together
from tests.support.slots import free

RACERS = 10
DEADLINE = 120


@pytest.mark.slow
def test_series_and_single_cancellations_race_and_each_visit_is_cancelled_once(
        database_url, world, app):
    admin = Actor("admin", world.admin.id, world.admin.name)
    casey = Actor("customer", world.customer.id, world.customer.name)
    with app.test_request_context():
        _, six, *_ = book_series(admin, customer_id=world.customer.id, new_customer=None,
                                 service_id=world.service.id,
                                 starts_at=free(world.service, days_ahead=21).starts_at,
                                 rule=Rule(WEEKLY, 1, count=6))
    [whole] = [c for c in choices(six[0], casey, world.settings, utcnow()) if c.scope == ALL]
    assert not database.in_transaction()
    database.close()

    def args_for(i):
        if i % 2:  # the odd racers cancel single visits (2nd..6th, some twice)
            return (i, database_url, "visit", {"actor": (casey.kind, casey.id, casey.label),
                                               "ref": six[1 + i % 5].ref})
        return (i, database_url, "series", {"actor": (casey.kind, casey.id, casey.label),
                                            "ref": six[0].ref, "versions": whole.versions})

    outcomes = run_together(series_race_worker.cancel_when_released, RACERS, DEADLINE,
                            args_for)
    database.connect(reuse_if_open=True)
    assert not [o for o in outcomes if o["status"] == "error"], outcomes
    by_command = Counter((o["command"], o["status"]) for o in outcomes)
    assert by_command[("series", "ok")] <= 1, by_command
    assert set(by_command) <= {("series", "ok"), ("series", "stale"), ("visit", "ok"),
                               ("visit", "already_cancelled")}, by_command
    if by_command[("series", "ok")] == 0:  # a single visit won first: the series page is stale
        assert Booking.get_by_id(six[0].id).status != CANCELLED
    else:
        assert {Booking.get_by_id(b.id).status for b in six} == {CANCELLED}
    for b in six:  # nobody cancelled a visit twice
        events = AuditEvent.select().where((AuditEvent.subject_type == "booking")
                                           & (AuditEvent.subject_id == b.id)
                                           & (AuditEvent.action == "cancelled")).count()
        assert events == (1 if Booking.get_by_id(b.id).status == CANCELLED else 0)
        if Booking.get_by_id(b.id).status == CANCELLED:
            assert not SlotClaim.select().where(SlotClaim.booking == b.id).exists()
    assert OutboxMessage.select().where(OutboxMessage.template == "series_cancelled").count() \
        == by_command[("series", "ok")]
