"""Days a test can count on whatever day the suite runs: "now" is the real clock (or faketime)."""
from datetime import date, timedelta

from portal.bookings.hours import DEFAULT_WEEK


def working_day(start: date, days_ahead: int = 0) -> date:
    """The first day at least `days_ahead` after `start` that the default week opens for a full
    day (Monday to Friday; Saturday is a short morning and Sunday is closed)."""
    day = start + timedelta(days=days_ahead)
    while day.weekday() not in DEFAULT_WEEK or DEFAULT_WEEK[day.weekday()][0][1] < 17 * 60:
        day += timedelta(days=1)
    return day
