"""The cancellation rules, with `now` injected: a table of named cases and properties."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.bookings import policy
from portal.kernel.actors import Actor

NOW = datetime(2026, 11, 23, 12, 0)
CUSTOMER = Actor("customer", 1, "Casey")
OTHER = Actor("customer", 2, "Olive")
ADMIN = Actor("admin", 10, "Ada", True)
FW_OK = Actor("fieldworker", 20, "Fred", True)
FW_NO = Actor("fieldworker", 21, "Gina", False)


def settings(**overrides):
    values = dict(customers_may_cancel=True, customers_may_reschedule=True,
                  cancel_notice_hours=0, effective_reschedule_notice_hours=0,
                  blocked_message="", contact_line="(555) 010-4477")
    values.update(overrides)
    return SimpleNamespace(**values)


def booking(starts_in=timedelta(days=2), status="scheduled", customer_id=1):
    return SimpleNamespace(starts_at=NOW + starts_in, status=status, customer_id=customer_id)


CASES = [
    # name, booking, actor, settings, assigned, expected code
    ("customer, days ahead", booking(), CUSTOMER, settings(), set(), "ok"),
    ("someone else's booking", booking(), OTHER, settings(), set(), "not_yours"),
    ("already cancelled", booking(status="cancelled"), CUSTOMER, settings(), set(),
     "already_cancelled"),
    ("completed", booking(status="completed"), CUSTOMER, settings(), set(), "completed"),
    ("no-show", booking(status="no_show"), ADMIN, settings(), set(), "no_show"),
    ("time passed, customer", booking(-timedelta(hours=1)), CUSTOMER, settings(), set(),
     "time_passed"),
    ("time passed, admin", booking(-timedelta(hours=1)), ADMIN, settings(), set(), "time_passed"),
    ("starts exactly now", booking(timedelta(0)), CUSTOMER, settings(), set(), "time_passed"),
    ("flag off, customer", booking(), CUSTOMER, settings(customers_may_cancel=False), set(),
     "flag_off"),
    ("flag off, admin still may", booking(), ADMIN, settings(customers_may_cancel=False), set(),
     "ok"),
    ("inside the window", booking(timedelta(hours=23)), CUSTOMER,
     settings(cancel_notice_hours=24), set(), "notice_window"),
    ("exactly at the window edge", booking(timedelta(hours=24)), CUSTOMER,
     settings(cancel_notice_hours=24), set(), "ok"),
    ("inside the window, admin", booking(timedelta(hours=1)), ADMIN,
     settings(cancel_notice_hours=24), set(), "ok"),
    ("fieldworker with permission, assigned", booking(), FW_OK, settings(), {20}, "ok"),
    ("fieldworker with permission, not assigned", booking(), FW_OK, settings(), {21},
     "not_assigned"),
    ("fieldworker without permission", booking(), FW_NO, settings(), {21}, "no_permission"),
]


@pytest.mark.parametrize("name,booking_,actor,settings_,assigned,code", CASES,
                         ids=[c[0] for c in CASES])
def test_can_cancel_table(name, booking_, actor, settings_, assigned, code):
    verdict = policy.can_cancel(booking_, actor, settings_, NOW, assigned)
    assert verdict.code == code
    assert bool(verdict) is (code == "ok")
    if code != "ok":
        assert verdict.message, "a refusal always says why"


def test_window_uses_the_business_message_when_set():
    verdict = policy.can_cancel(booking(timedelta(hours=2)), CUSTOMER,
                                settings(cancel_notice_hours=24,
                                         blocked_message="Too late to cancel online: call us."),
                                NOW)
    assert verdict.message == ("Too late to cancel online: call us. "
                               "Please contact us on (555) 010-4477.")


def test_default_window_message_names_hours_and_contact():
    verdict = policy.can_cancel(booking(timedelta(hours=2)), CUSTOMER,
                                settings(cancel_notice_hours=48), NOW)
    assert "48 hours" in verdict.message and "(555) 010-4477" in verdict.message


@given(minutes_ahead=st.integers(min_value=-10_000, max_value=10_000),
       notice_hours=st.integers(min_value=0, max_value=96),
       flag=st.booleans(),
       status=st.sampled_from(["scheduled", "completed", "cancelled", "no_show"]))
def test_customer_may_cancel_exactly_when_every_rule_allows(minutes_ahead, notice_hours, flag,
                                                           status):
    b = booking(timedelta(minutes=minutes_ahead), status=status)
    verdict = policy.can_cancel(b, CUSTOMER, settings(customers_may_cancel=flag,
                                                      cancel_notice_hours=notice_hours), NOW)
    expected = (status == "scheduled" and minutes_ahead > 0 and flag
                and minutes_ahead >= notice_hours * 60)
    assert bool(verdict) is expected


@given(minutes_ahead=st.integers(min_value=-10_000, max_value=10_000),
       notice_hours=st.integers(min_value=0, max_value=96), flag=st.booleans())
def test_admin_ignores_customer_rules_but_not_time(minutes_ahead, notice_hours, flag):
    b = booking(timedelta(minutes=minutes_ahead))
    verdict = policy.can_cancel(b, ADMIN, settings(customers_may_cancel=flag,
                                                   cancel_notice_hours=notice_hours), NOW)
    assert bool(verdict) is (minutes_ahead > 0)


RESCHEDULE_CASES = [
    ("customer, days ahead", booking(), CUSTOMER, settings(), set(), "ok"),
    ("flag off", booking(), CUSTOMER, settings(customers_may_reschedule=False), set(),
     "flag_off"),
    ("cancel flag off does not stop rescheduling", booking(), CUSTOMER,
     settings(customers_may_cancel=False), set(), "ok"),
    ("inside the reschedule window", booking(timedelta(hours=5)), CUSTOMER,
     settings(effective_reschedule_notice_hours=6), set(), "notice_window"),
    ("cancel window does not apply to rescheduling", booking(timedelta(hours=5)), CUSTOMER,
     settings(cancel_notice_hours=24, effective_reschedule_notice_hours=2), set(), "ok"),
    ("admin bypasses the window", booking(timedelta(hours=1)), ADMIN,
     settings(effective_reschedule_notice_hours=24), set(), "ok"),
    ("cancelled cannot move", booking(status="cancelled"), ADMIN, settings(), set(),
     "already_cancelled"),
    ("time passed", booking(-timedelta(minutes=1)), CUSTOMER, settings(), set(), "time_passed"),
    ("fieldworker without permission", booking(), FW_NO, settings(), {21}, "no_permission"),
]


@pytest.mark.parametrize("name,booking_,actor,settings_,assigned,code", RESCHEDULE_CASES,
                         ids=[c[0] for c in RESCHEDULE_CASES])
def test_can_reschedule_table(name, booking_, actor, settings_, assigned, code):
    verdict = policy.can_reschedule(booking_, actor, settings_, NOW, assigned)
    assert verdict.code == code and bool(verdict) is (code == "ok")


ACTORS = [CUSTOMER, OTHER, ADMIN, FW_OK, FW_NO]


@pytest.mark.parametrize("question", [policy.can_cancel, policy.can_reschedule])
@pytest.mark.parametrize("status", ["scheduled", "completed", "cancelled", "no_show"])
@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: f"{a.kind}{a.id}")
@pytest.mark.parametrize("flag", [True, False])
def test_every_status_actor_flag_combination(question, status, actor, flag):
    s = settings(customers_may_cancel=flag, customers_may_reschedule=flag)
    verdict = question(booking(status=status), actor, s, NOW, {20, 21})
    allowed = (status == "scheduled"
               and actor is not OTHER and actor is not FW_NO
               and (flag or actor.is_staff))
    assert bool(verdict) is allowed, verdict


NEW_YORK = ZoneInfo("America/New_York")
# 2026-03-08 02:00 local clocks jump to 03:00; 2026-11-01 02:00 they fall back to 01:00.
DST_EDGES = [datetime(2026, 3, 8, 7, 0), datetime(2026, 11, 1, 6, 0)]  # the instants, in UTC


@given(edge=st.sampled_from(DST_EDGES),
       start_offset=st.integers(min_value=-36 * 60, max_value=36 * 60),
       now_offset=st.integers(min_value=-72 * 60, max_value=0),
       notice_hours=st.sampled_from([0, 1, 2, 24, 48]))
def test_the_window_is_real_elapsed_time_across_dst(edge, start_offset, now_offset,
                                                     notice_hours):
    """A 24-hour window is 24 real hours even when the local clock skips or repeats an hour."""
    starts_at = edge + timedelta(minutes=start_offset)
    now = edge + timedelta(minutes=now_offset)
    b = SimpleNamespace(starts_at=starts_at, status="scheduled", customer_id=1)
    verdict = policy.can_cancel(b, CUSTOMER, settings(cancel_notice_hours=notice_hours), now)
    elapsed = (starts_at.replace(tzinfo=timezone.utc) - now.replace(tzinfo=timezone.utc))
    assert bool(verdict) is (elapsed > timedelta(0) and elapsed >= timedelta(hours=notice_hours))
    # The local wall clock would disagree on these days: that is why UTC is compared.
    local_gap = (starts_at.replace(tzinfo=timezone.utc).astimezone(NEW_YORK).replace(tzinfo=None)
                 - now.replace(tzinfo=timezone.utc).astimezone(NEW_YORK).replace(tzinfo=None))
    assert abs(local_gap - elapsed) <= timedelta(hours=1)


AFTER_VISIT_CASES = [
    # name, booking, actor, assigned, expected code (same for no-show and completed)
    ("admin, an hour after it began", booking(-timedelta(hours=1)), ADMIN, set(), "ok"),
    ("admin, at the start time exactly", booking(timedelta(0)), ADMIN, set(), "ok"),
    ("admin, before it began", booking(timedelta(minutes=1)), ADMIN, set(), "not_started"),
    ("assigned fieldworker with permission", booking(-timedelta(hours=1)), FW_OK, {20}, "ok"),
    ("fieldworker not assigned", booking(-timedelta(hours=1)), FW_OK, set(), "not_assigned"),
    ("assigned fieldworker without permission", booking(-timedelta(hours=1)), FW_NO, {21},
     "no_permission"),
    ("customer", booking(-timedelta(hours=1)), CUSTOMER, set(), "no_permission"),
    ("already cancelled", booking(-timedelta(hours=1), "cancelled"), ADMIN, set(),
     "already_cancelled"),
    ("already a no-show", booking(-timedelta(hours=1), "no_show"), ADMIN, set(), "no_show"),
    ("already completed", booking(-timedelta(hours=1), "completed"), ADMIN, set(), "completed"),
]


@pytest.mark.parametrize("rule", [policy.can_mark_no_show, policy.can_complete])
@pytest.mark.parametrize("name,b,actor,assigned,expected", AFTER_VISIT_CASES,
                         ids=[c[0] for c in AFTER_VISIT_CASES])
def test_after_visit_rules(rule, name, b, actor, assigned, expected):
    verdict = rule(b, actor, NOW, assigned)
    assert verdict.code == expected
    assert bool(verdict) is (expected == "ok")
    assert expected == "ok" or verdict.message


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_no_show_and_cancel_never_both_allowed_for_staff(minutes):
    """Before the start only cancel; from the start only no-show: never both, never neither."""
    b = booking(timedelta(minutes=minutes))
    cancel = policy.can_cancel(b, ADMIN, settings(), NOW)
    no_show = policy.can_mark_no_show(b, ADMIN, NOW)
    assert bool(cancel) != bool(no_show)


@pytest.mark.parametrize("cap,moves,actor,expected", [
    (None, 5, CUSTOMER, "ok"),        # unlimited
    (2, 1, CUSTOMER, "ok"),
    (2, 2, CUSTOMER, "reschedule_cap"),
    (0, 0, CUSTOMER, "reschedule_cap"),
    (2, 2, ADMIN, "ok"),              # staff are not capped
])
def test_the_reschedule_cap_is_a_customer_rule(cap, moves, actor, expected):
    b = booking()
    b.reschedule_count = moves
    verdict = policy.can_reschedule(b, actor, settings(max_reschedules=cap), NOW)
    assert verdict.code == expected
    if expected == "reschedule_cap":
        assert "the most allowed online" in verdict.message and "(555) 010-4477" in verdict.message


@pytest.mark.parametrize("business,customer,expected", [
    (True, True, "ok"), (False, True, "booking_off"), (True, False, "booking_off")])
def test_online_booking_needs_the_business_and_the_customer(business, customer, expected):
    verdict = policy.can_book(SimpleNamespace(may_book_online=customer),
                              settings(online_booking=business))
    assert verdict.code == expected


TIERS = [(24, "percent", 0, 10_000), (48, "percent", 0, 5_000)]  # <24 h: 100 %, 24-48 h: 50 %


@pytest.mark.parametrize("notice,price,tiers,expected", [
    (timedelta(hours=60), 9000, TIERS, 0),              # more than 48 h: free
    (timedelta(hours=48), 9000, TIERS, 0),              # exactly 48 h is not "under 48"
    (timedelta(hours=47, minutes=59), 9000, TIERS, 4500),
    (timedelta(hours=30), 9999, TIERS, 5000),           # 4999.5 rounds half up
    (timedelta(hours=23), 9000, TIERS, 9000),
    (timedelta(hours=23), 9000, [(24, "flat", 4000, 0)], 4000),
    (timedelta(hours=23), 3000, [(24, "flat", 4000, 0)], 3000),  # capped at the price
    (timedelta(hours=23), 9000, [], 0),
])
def test_late_fee_tiers(notice, price, tiers, expected):
    b = SimpleNamespace(starts_at=NOW + notice, price=price)
    assert policy.late_fee(b, tiers, NOW) == expected


@given(st.integers(0, 10_000_000), st.integers(0, 10_000), st.integers(1, 400))
def test_percentage_fees_are_exact_integers_within_half_a_cent(price, bp, hours):
    b = SimpleNamespace(starts_at=NOW + timedelta(hours=hours - 1), price=price)
    fee = policy.late_fee(b, [(hours, "percent", 0, bp)], NOW)
    assert isinstance(fee, int) and 0 <= fee <= price
    assert abs(fee * 10_000 - price * bp) <= 5_000  # off by at most half a minor unit


@given(st.integers(0, 10**9), st.integers(0, 10**9), st.integers(0, 10**9),
       st.integers(0, 10**9))
def test_refund_due_is_never_negative_and_never_more_than_paid(total, paid, refunded,
                                                               pending):
    due = policy.refund_due(total, paid, refunded, pending)
    assert 0 <= due <= paid
    assert due + total + refunded + pending >= paid


@pytest.mark.parametrize("total, service, fee, fee_tax, paid, refunded, pending, kept, back", [
    (9000, 9000, 0, 0, 9000, 0, 0, 0, 9000),          # paid in full, no fee: all of it back
    (9000, 9000, 4500, 0, 9000, 0, 0, 4500, 4500),    # half kept
    (9900, 9900, 4500, 450, 9900, 0, 0, 4950, 4950),  # the fee's tax is kept with it
    (9000, 9000, 9000, 0, 9000, 0, 0, 9000, 0),       # all kept
    (9000, 9000, 4500, 0, 3000, 0, 0, 4500, 0),       # a deposit smaller than the fee
    (9000, 9000, 0, 0, 9000, 0, 3000, 0, 6000),       # $30 already asked for
    (9000, 9000, 0, 0, 0, 0, 0, 0, 0),                # nothing paid
    (11500, 9000, 0, 0, 11500, 0, 0, 2500, 9000),     # an earlier fee stays on the invoice
])
def test_what_a_cancellation_keeps_and_gives_back(total, service, fee, fee_tax, paid, refunded,
                                                  pending, kept, back):
    outcome = policy.cancel_refund(total, service, fee, fee_tax, paid, refunded, pending)
    assert (outcome.fee, outcome.kept, outcome.refund) == (fee, kept, back)


@pytest.mark.parametrize("actor,assigned,code", [
    (ADMIN, set(), None), (FW_OK, {20}, None), (FW_OK, set(), "not_assigned"),
    (FW_NO, {21}, "no_permission"), (CUSTOMER, set(), "no_permission")])
def test_who_may_change_a_status_at_all(actor, assigned, code):
    verdict = policy.may_change_status(SimpleNamespace(customer_id=1), actor, assigned)
    assert bool(verdict) is (code is None)
    if code:  # a refusal says why
        assert verdict.code == code and verdict.message
