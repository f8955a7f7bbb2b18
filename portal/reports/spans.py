"""Which summary rows cover a run of days: the calendar months wholly inside it from
report_month, the days at its edges from report_day (figures.py reads both in one statement)."""
from datetime import date, timedelta


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def whole_months(start: date, end: date) -> tuple[date, date] | None:
    """[first, stop): the first days of the calendar months wholly inside [start, end]."""
    first = start if start.day == 1 else next_month(start)
    stop = next_month(end) if next_month(end) == end + timedelta(days=1) else end.replace(day=1)
    return (first, stop) if first < stop else None


def pieces(periods, months=True):
    """(day runs [(first, last)], month runs [(first, stop)]) covering `periods` ((first, last)
    days, in order, not overlapping): each period's whole months as months (so a month never
    straddles two periods), the rest as days; touching runs joined."""
    days, month_runs = [], []

    def add(runs, first, last, touches):
        if runs and touches(runs[-1][1], first):
            runs[-1] = (runs[-1][0], last)
        else:
            runs.append((first, last))

    def add_days(first, last):
        if first <= last:
            add(days, first, last, lambda a, b: a + timedelta(days=1) == b)

    for start, end in periods:
        whole = whole_months(start, end) if months else None
        if whole is None:
            add_days(start, end)
            continue
        add_days(start, whole[0] - timedelta(days=1))
        add(month_runs, whole[0], whole[1], lambda a, b: a == b)
        add_days(whole[1], end)
    return days, month_runs
