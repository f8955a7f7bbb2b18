"""A series' rule as dates (bookings/series_rules.py): wall-clock time kept across
daylight-saving changes, month ends, a 5th weekday that a month lacks, and the rule's bounds."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from portal.bookings.series_models import MONTHLY, WEEKLY
from portal.bookings.series_rules import MAX_VISITS, Rule, check_rule, describe, expand
from portal.kernel.errors import InvalidInput

NY = "America/New_York"


def utc(local: datetime, tz=NY):
    return local.replace(tzinfo=ZoneInfo(tz)).astimezone(timezone.utc).replace(tzinfo=None)


def local(starts, tz=NY):
    return [s.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz)).replace(tzinfo=None)
            for s in starts]


def test_weekly_keeps_the_wall_clock_time_across_the_spring_change():
    # 2027: clocks go forward on Sun 14 March in New York.
    first = utc(datetime(2027, 3, 1, 9, 0))
    got = expand(Rule(WEEKLY, 1, count=4), first, NY)
    assert local(got.starts) == [datetime(2027, 3, d, 9, 0) for d in (1, 8, 15, 22)]
    assert [s.hour for s in got.starts] == [14, 14, 13, 13]  # UTC moves, the visit doesn't
    assert got.missing == []


def test_every_two_weeks_until_a_date_includes_that_day_and_crosses_the_autumn_change():
    first = utc(datetime(2027, 10, 18, 15, 30))
    got = expand(Rule(WEEKLY, 2, until=date(2027, 11, 29)), first, NY)
    assert local(got.starts) == [datetime(2027, 10, 18, 15, 30), datetime(2027, 11, 1, 15, 30),
                                 datetime(2027, 11, 15, 15, 30), datetime(2027, 11, 29, 15, 30)]


def test_monthly_on_the_same_weekday_of_the_month():
    first = utc(datetime(2027, 1, 12, 10, 0))  # the 2nd Tuesday of January
    got = expand(Rule(MONTHLY, count=4), first, NY)
    assert local(got.starts) == [datetime(2027, 1, 12, 10), datetime(2027, 2, 9, 10),
                                 datetime(2027, 3, 9, 10), datetime(2027, 4, 13, 10)]
    assert describe(Rule(MONTHLY, count=4), date(2027, 1, 12)) == \
        "Monthly on the 2nd Tuesday, 4 visits"


def test_a_fifth_weekday_a_month_lacks_is_skipped_and_said():
    first = utc(datetime(2027, 1, 29, 8, 0))  # the 5th Friday of January 2027
    got = expand(Rule(MONTHLY, until=date(2027, 5, 31)), first, NY)
    assert local(got.starts) == [datetime(2027, 1, 29, 8), datetime(2027, 4, 30, 8)]
    assert got.missing == ["February 2027 has no 5th Friday: no visit that month.",
                           "March 2027 has no 5th Friday: no visit that month.",
                           "May 2027 has no 5th Friday: no visit that month."]


def test_a_time_inside_the_spring_gap_is_skipped_and_said():
    first = utc(datetime(2027, 3, 7, 2, 30))
    got = expand(Rule(WEEKLY, 1, count=3), first, NY)
    assert local(got.starts) == [datetime(2027, 3, 7, 2, 30), datetime(2027, 3, 21, 2, 30),
                                 datetime(2027, 3, 28, 2, 30)]
    assert got.missing == ["Sun 14 Mar 2027: 2:30 AM doesn't exist that day (the clocks "
                           "change): no visit."]


def test_a_far_until_date_stops_at_the_cap_and_says_so():
    first = utc(datetime(2027, 1, 4, 9, 0))
    got = expand(Rule(WEEKLY, 1, until=date(2029, 1, 1)), first, NY)
    assert len(got.starts) == MAX_VISITS
    assert got.missing and "at most 52 visits" in got.missing[0]


@pytest.mark.parametrize("kind, interval, until, count, field", [
    ("daily", 1, None, 4, "repeat"),
    (WEEKLY, 5, None, 4, "repeat_every"),
    (WEEKLY, 0, None, 4, "repeat_every"),
    (WEEKLY, 1, None, None, "repeat_end"),
    (WEEKLY, 1, date(2027, 6, 1), 4, "repeat_end"),
    (WEEKLY, 1, None, 1, "repeat_count"),
    (WEEKLY, 1, None, MAX_VISITS + 1, "repeat_count"),
    (MONTHLY, 1, date(2027, 1, 4), None, "repeat_until"),
])
def test_a_rule_that_makes_no_sense_is_refused_naming_its_field(kind, interval, until, count,
                                                                 field):
    with pytest.raises(InvalidInput) as refused:
        check_rule(kind, interval, until, count, date(2027, 1, 4))
    assert refused.value.code == field and refused.value.message


def test_a_series_move_keeps_each_visits_wall_clock_shift_across_the_change():
    from portal.bookings.series_move import shifted
    # Moving the 1 March visit from 9:00 to 10:30 the next day moves the 15 March visit
    # (after the change) to 10:30 on the 16th, local time.
    old, new = utc(datetime(2027, 3, 1, 9, 0)), utc(datetime(2027, 3, 2, 10, 30))
    got = shifted(utc(datetime(2027, 3, 15, 9, 0)), old, new, NY)
    assert local([got]) == [datetime(2027, 3, 16, 10, 30)]
