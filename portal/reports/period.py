"""What a report covers: a period of business-timezone days, its comparison, and filters."""
import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ..audit import CHANNELS
from ..kernel.listing import parse_date_range, parse_id, shown

PRESETS = {"7d": "Last 7 days", "30d": "Last 30 days", "90d": "Last 90 days",
           "month": "This month", "custom": "Custom range"}
DEFAULT_PRESET = "30d"
INITIATORS = {"customer": "Customers", "staff": "Staff", "integration": "Integrations"}
MAX_DAYS = 3 * 366  # a custom range longer than this is cut, so one URL cannot ask for ages
WEEKLY_UP_TO_DAYS = 26 * 7  # longer periods are shown month by month


@dataclass(frozen=True)
class Bucket:
    start: date  # first day, included
    end: date  # last day, included
    label: str


def _day_label(day):
    return f"{calendar.month_abbr[day.month]} {day.day}"


def _span_label(start, end):
    if start == end:
        return _day_label(start)
    if start.month == end.month:
        return f"{_day_label(start)}–{end.day}"
    return f"{_day_label(start)}–{_day_label(end)}"


def buckets(start, end):
    """The period cut into weeks counted from its first day (months when it is long)."""
    out, day = [], start
    weekly = (end - start).days < WEEKLY_UP_TO_DAYS
    while day <= end:
        if weekly:
            last = min(day + timedelta(days=6), end)
            out.append(Bucket(day, last, _span_label(day, last)))
        else:
            month_end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
            last = min(month_end, end)
            out.append(Bucket(day, last, f"{calendar.month_abbr[day.month]} {day.year}"))
        day = last + timedelta(days=1)
    return out


def _month_back(day):
    """The same day of the previous month, or that month's last day when it is shorter."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ReportFilter:
    preset: str = DEFAULT_PRESET
    start: date | None = None  # resolved business-timezone days, both included
    end: date | None = None
    service: int | None = None
    fieldworker: int | None = None
    channel: str | None = None
    initiator: str | None = None
    tz: str = "UTC"
    notes: tuple = ()

    @classmethod
    def from_args(cls, args, tz, today):
        """The filter in these query args, for `today` in the business timezone; unusable
        values become notes, never errors."""
        notes = []
        preset = args.get("preset", "") or ""
        date_from, date_to = parse_date_range(args, tz, notes)
        if not preset and (date_from or date_to):
            preset = "custom"  # a shared link with only dates means those dates
        if preset and preset not in PRESETS:
            notes.append(f"“{shown(preset)}” is not a period; showing "
                         f"{PRESETS[DEFAULT_PRESET].lower()}.")
        preset = preset if preset in PRESETS else DEFAULT_PRESET
        if preset == "custom":
            start, end = cls._custom(date_from, date_to, today, notes)
        else:
            start, end = cls._preset_days(preset, today)
        channel = args.get("channel") or None
        if channel and channel not in CHANNELS:
            notes.append(f"“{shown(channel)}” is not a channel; showing every channel.")
            channel = None
        initiator = args.get("initiator") or None
        if initiator and initiator not in INITIATORS:
            notes.append(f"“{shown(initiator)}” is not who cancelled; showing everyone.")
            initiator = None
        return cls(preset=preset, start=start, end=end,
                   service=parse_id(args.get("service"), "service", notes),
                   fieldworker=parse_id(args.get("fieldworker"), "fieldworker", notes),
                   channel=channel, initiator=initiator, tz=tz, notes=tuple(notes))

    @staticmethod
    def _preset_days(preset, today):
        if preset == "month":
            return today.replace(day=1), today
        days = {"7d": 7, "30d": 30, "90d": 90}[preset]
        return today - timedelta(days=days - 1), today

    @staticmethod
    def _custom(date_from, date_to, today, notes):
        if not date_from and not date_to:
            notes.append("Pick a first and a last day for a custom range; showing the last "
                         "30 days.")
            return today - timedelta(days=29), today
        start, end = date_from or date_to, date_to or date_from
        if (end - start).days >= MAX_DAYS:
            notes.append(f"A report covers at most {MAX_DAYS:,} days; showing the last "
                         f"{MAX_DAYS:,} days of that range.")
            start = end - timedelta(days=MAX_DAYS - 1)
        return start, end

    @property
    def days(self):
        return (self.end - self.start).days + 1

    @property
    def previous(self):
        """The period compared against: the month before for "this month" (same days), else
        as many days just before."""
        if self.preset == "month":
            return _month_back(self.start), _month_back(self.end)
        return self.start - timedelta(days=self.days), self.start - timedelta(days=1)

    @property
    def narrows_cancellations(self):
        """Channel and initiator describe a cancellation, not a booking."""
        return bool(self.channel or self.initiator)

    def to_args(self, **changes):
        """URL args for this filter (with changes), defaults left out so links stay short."""
        f = replace(self, **changes) if changes else self
        args = {"preset": f.preset if f.preset != DEFAULT_PRESET else None,
                "from": f.start.isoformat() if f.preset == "custom" else None,
                "to": f.end.isoformat() if f.preset == "custom" else None,
                "service": f.service, "fieldworker": f.fieldworker,
                "channel": f.channel, "initiator": f.initiator}
        return {key: value for key, value in args.items() if value is not None}
