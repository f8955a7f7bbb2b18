"""The booking page's read model (portal/bookings/page.py): what each audience may do with a
booking at a given moment, why not, and at what fee. Dates are computed from `now`, which the
model takes like the policy does, so nothing here depends on the day it runs."""
from datetime import timedelta
from types import SimpleNamespace

import pytest

from portal.audit import AuditEvent
from portal.billing.models import FeeTier
from portal.bookings.page import booking_page
from portal.bookings.services import cancel_booking
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.settings import Settings
from tests.support.factories import booking

NOW = utcnow().replace(microsecond=0)
CUSTOMER = Actor("customer", 1, "Casey")
OTHER = Actor("customer", 2, "Olive")
ADMIN = Actor("admin", 10, "Ada", True)
FIELDWORKER = Actor("fieldworker", 20, "Fred", True)
FW_NO_STATUS = Actor("fieldworker", 21, "Gina", False)
ASSIGNED = [SimpleNamespace(id=20), SimpleNamespace(id=21)]
# Late-cancellation tiers as policy.late_fee takes them: all of it under a day, half under two.
TIERS = [(24, "percent", 0, 10_000), (48, "percent", 0, 5_000)]


def settings(**overrides):
    values = dict(customers_may_cancel=True, customers_may_reschedule=True,
                  cancel_notice_hours=12, effective_reschedule_notice_hours=12,
                  blocked_message="", contact_line="(555) 010-4477", max_reschedules=None,
                  cancellation_fee=1500, no_show_fee=2500, tax_rate_bp=0)
    values.update(overrides)
    return SimpleNamespace(**values)


def visit(starts_in, status="scheduled", customer_id=1):
    return SimpleNamespace(starts_at=NOW + starts_in, status=status, customer_id=customer_id,
                           price=9000, reschedule_count=0, is_cancelled=status == "cancelled")


def page(starts_in, actor, status="scheduled", tiers=TIERS, **kwargs):
    return booking_page(visit(starts_in, status), ASSIGNED, actor, settings(), NOW,
                        tiers=tiers, **kwargs)


def test_a_customer_days_ahead_may_cancel_and_move_it_free_and_nothing_else():
    p = page(timedelta(days=5), CUSTOMER)
    assert p.cancel and p.reschedule
    assert (p.late_fee, p.cancel_fee, p.suggested_fee, p.suggested_no_show_fee) == (0, 0, 0, 0)
    assert p.details.code == p.may_change_status.code == "no_permission"
    assert [c.verdict.code for c in p.status_choices] == ["no_permission", "ok",
                                                          "no_permission"]


def test_a_customer_inside_a_fee_tier_pays_the_tier_they_fall_in():
    p = page(timedelta(hours=30), CUSTOMER)  # outside the 12 h notice, inside the 48 h tier
    assert p.cancel
    assert p.late_fee == p.cancel_fee == 4500
    assert p.suggested_fee == 0  # customers are charged, not offered a fee


def test_inside_the_notice_window_a_customer_is_refused_with_a_reason():
    p = page(timedelta(hours=6), CUSTOMER)
    assert p.cancel.code == p.reschedule.code == "notice_window"
    assert p.cancel.message == ("Cancelling online closes 12 hours before the appointment. "
                                "Please contact us on (555) 010-4477.")
    assert "Rescheduling online closes 12 hours" in p.reschedule.message


def test_someone_elses_booking_is_not_found_for_a_customer():
    p = page(timedelta(days=5), OTHER)
    assert p.cancel.code == p.reschedule.code == "not_yours"


def test_an_admin_inside_the_window_may_cancel_and_is_offered_the_tier_fee():
    p = page(timedelta(hours=6), ADMIN)
    assert p.cancel and p.reschedule and p.details and p.may_change_status
    assert p.cancel_fee == 0  # nothing is charged unless the admin chooses it
    assert p.suggested_fee == 9000  # the under-a-day tier: the whole price
    assert p.suggested_no_show_fee == 2500
    assert {c.value: c.verdict.code for c in p.status_choices} == {
        "completed": "not_started", "cancelled": "ok", "no_show": "not_started"}


def test_an_admin_outside_every_tier_is_offered_the_business_default_fee():
    assert page(timedelta(days=5), ADMIN).suggested_fee == 1500
    assert page(timedelta(days=5), ADMIN, tiers=[]).suggested_fee == 1500


def test_after_the_visit_began_staff_close_it_instead_of_cancelling():
    p = page(-timedelta(hours=1), ADMIN)
    assert p.cancel.code == "time_passed"
    assert p.cancel.message.endswith("Mark it as a no-show instead.")
    assert {c.value: bool(c.verdict) for c in p.status_choices} == {
        "completed": True, "cancelled": False, "no_show": True}


@pytest.mark.parametrize("actor,cancel,status", [
    (FIELDWORKER, "ok", "ok"),
    (FW_NO_STATUS, "no_permission", "no_permission"),
    (Actor("fieldworker", 99, "Nina", True), "not_assigned", "not_assigned"),
])
def test_a_fieldworker_acts_on_assigned_jobs_with_permission_and_charges_no_fee(actor, cancel,
                                                                               status):
    p = page(timedelta(hours=6), actor)
    assert p.cancel.code == cancel
    assert next(c for c in p.status_choices if c.value == "cancelled").verdict.code == cancel
    assert p.details.code == "no_permission"
    assert p.suggested_fee == p.cancel_fee == p.suggested_no_show_fee == 0


def test_a_cancelled_booking_is_closed_and_says_what_is_due_back():
    figures = dict(total=0, paid=9000, refunded=1000, refund_pending=500,
                   balance=-8000)  # in credit
    # an InvoiceSummary's figures as booking_page takes them (InvoiceSummary.figures)
    invoice = SimpleNamespace(**figures, figures=lambda: tuple(figures.values()))
    p = page(timedelta(days=5), ADMIN, status="cancelled", invoice=invoice)
    assert p.cancel.code == "already_cancelled"
    assert p.refund_due == 7500
    assert not p.invites_payment  # nothing owed on a cancelled booking: no "Record payment"
    assert page(timedelta(days=5), ADMIN, invoice=invoice).refund_due == 0  # not cancelled


def test_the_page_shows_the_fee_the_cancellation_then_charges(world):
    """Without tiers given, the model reads the business's own; the service charges the
    customer exactly what their page showed."""
    FeeTier.create(under_hours=48, kind="flat", flat_amount=3000)
    b = booking(world.customer, world.service, timedelta(hours=30), world.fw)
    actor = Actor("customer", world.customer.id, world.customer.name)
    shown = booking_page(b, [world.fw], actor, Settings.current(), utcnow())
    assert shown.cancel and shown.cancel_fee == 3000
    cancel_booking(b.ref, actor, channel="portal")
    event = AuditEvent.get(AuditEvent.action == "cancelled")
    assert (event.after_data["fee"], event.after_data["late_fee"]) == (3000, True)
