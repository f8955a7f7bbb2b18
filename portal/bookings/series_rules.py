"""A series' rule as dates: pure arithmetic, no clock, request or database (tested as plain
functions, like policy.py).

Dates are local to the business and the visit keeps its wall-clock time across daylight-saving
changes (9:00 AM stays 9:00 AM, so its UTC time moves by an hour). "Monthly" means the same
weekday in the same week of the month as the first visit ("2nd Tuesday"); a month without it
(a 5th Friday) is skipped, and the skip is said, never moved to another day.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from ..kernel.errors import InvalidInput
from .series_models import MONTHLY, WEEKLY

MAX_VISITS = 52          # a year of weekly visits: more is a new series later
MAX_INTERVAL_WEEKS = 4
ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th"}


@dataclass(frozen=True)
class Rule:
    kind: str                  # WEEKLY or MONTHLY
    interval: int = 1          # weeks between visits (WEEKLY)
    until: date | None = None  # the last local day a visit may fall on
    count: int | None = None   # or how many visits


@dataclass
class Expansion:
    starts: list                          # naive UTC datetimes, in order
    missing: list = field(default_factory=list)  # what the rule could not place, said in words


def check_rule(kind: str, interval, until, count, first_day: date) -> Rule:
    """A Rule from plain values, or InvalidInput saying what to change (field named)."""
    if kind not in (WEEKLY, MONTHLY):
        raise InvalidInput(_("Choose how the visit repeats from the list."), "repeat")
    if kind == WEEKLY and not (isinstance(interval, int) and 1 <= interval <= MAX_INTERVAL_WEEKS):
        raise InvalidInput(_("Repeat every 1 to %(most)s weeks.", most=MAX_INTERVAL_WEEKS), "repeat_every")
    if (until is None) == (count is None):
        raise InvalidInput(_("Say when the series ends: on a date, or after a number of visits."),
                           "repeat_end")
    if count is not None and not 2 <= count <= MAX_VISITS:
        raise InvalidInput(_("A series has 2 to %(most)s visits.", most=MAX_VISITS), "repeat_count")
    if until is not None and until <= first_day:
        raise InvalidInput(_("The series must end after the first visit's date."), "repeat_until")
    return Rule(kind, interval if kind == WEEKLY else 1, until, count)


def describe(rule: Rule, first_day: date) -> str:
    """'Every 2 weeks on Tuesday, 6 visits' / 'Monthly on the 2nd Tuesday, until 1 Jun 2027'."""
    weekday = first_day.strftime("%A")
    if rule.kind == WEEKLY:
        how = (f"Every week on {weekday}" if rule.interval == 1
               else f"Every {rule.interval} weeks on {weekday}")
    else:
        how = f"Monthly on the {ORDINALS[_week_of_month(first_day)]} {weekday}"
    end = (f"{rule.count} visits" if rule.count
           else f"until {rule.until.strftime('%a %-d %b %Y')}")
    return f"{how}, {end}"


def _week_of_month(day: date) -> int:
    return (day.day - 1) // 7 + 1


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date | None:
    first = date(year, month, 1)
    day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    return day if day.month == month else None


def _local_days(rule: Rule, first_day: date, missing: list):
    """The local days the rule gives, the first included, until it would run past MAX_VISITS."""
    if rule.kind == WEEKLY:
        step = timedelta(weeks=rule.interval)
        for k in range(MAX_VISITS * 2):
            yield first_day + step * k
        return
    n, weekday = _week_of_month(first_day), first_day.weekday()
    year, month = first_day.year, first_day.month
    for _step in range(MAX_VISITS * 2):
        day = _nth_weekday(year, month, weekday, n)
        if day is None:
            missing.append(f"{date(year, month, 1).strftime('%B %Y')} has no "
                           f"{ORDINALS[n]} {first_day.strftime('%A')}: no visit that month.")
        else:
            yield day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def expand(rule: Rule, first_starts_at: datetime, tz: str) -> Expansion:
    """Every visit's start (naive UTC) for `rule`, from the first visit's start (naive UTC),
    keeping its local wall-clock time in `tz`. Stops at `until`, at `count` visits, or at
    MAX_VISITS (with `until` that far away, the rest is said in `missing`)."""
    zone = ZoneInfo(tz)
    local = first_starts_at.replace(tzinfo=timezone.utc).astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    starts, missing = [], []
    for day in _local_days(rule, local.date(), missing):
        if rule.until is not None and day > rule.until:
            break
        if rule.count is not None and len(starts) == rule.count:
            break
        if len(starts) == MAX_VISITS:
            missing.append(f"A series has at most {MAX_VISITS} visits: it stops on "
                           f"{starts[-1].strftime('%a %-d %b %Y')} (make another for later).")
            break
        aware = datetime.combine(day, wall, tzinfo=zone)
        # A time that doesn't exist that day (inside a spring-forward gap) would slide; say so.
        back = aware.astimezone(timezone.utc).astimezone(zone)
        if back.replace(tzinfo=None) != aware.replace(tzinfo=None):
            missing.append(f"{day.strftime('%a %-d %b %Y')}: {wall.strftime('%-I:%M %p')} "
                           "doesn't exist that day (the clocks change): no visit.")
            continue
        starts.append(aware.astimezone(timezone.utc).replace(tzinfo=None))
    if rule.kind == MONTHLY and starts:
        # The loop read past the end to find it: drop the months after the series ends.
        end = rule.until or starts[-1].date()
        missing = [m for m in missing if not _month_note_after(m, end)]
    return Expansion(starts, missing)


def _month_note_after(note: str, end: date) -> bool:
    try:
        month = datetime.strptime(note.split(" has no ")[0], "%B %Y")
    except ValueError:
        return False
    return (month.year, month.month) > (end.year, end.month)
