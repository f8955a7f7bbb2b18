"""The cancellation rules, with `now` injected: a table of named cases and properties."""
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.actors import Actor
from portal.bookings import policy

NOW = datetime(2026, 11, 23, 12, 0)
CUSTOMER = Actor("customer", 1, "Casey")
OTHER = Actor("customer", 2, "Olive")
ADMIN = Actor("admin", 10, "Ada", True)
FW_OK = Actor("fieldworker", 20, "Fred", True)
FW_NO = Actor("fieldworker", 21, "Gina", False)


def settings(**overrides):
    values = dict(customers_may_cancel=True, cancel_notice_hours=0, blocked_message="",
                  contact_line="(555) 010-4477")
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
    assert verdict.message == "Too late to cancel online: call us."


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
