"""What the Reports › Cancellations page shows: the filter, the figures and their charts."""
from datetime import timezone
from zoneinfo import ZoneInfo

from ..audit import CHANNELS
from ..billing.fees import fee_tiers
from ..bookings import policy
from ..bookings.listing import filter_options
from ..kernel.timefmt import percent
from . import charts
from .cancellations import cancellation_report
from .period import INITIATORS, PRESETS, ReportFilter


def local_today(tz, now):
    return now.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz)).date()


def report_filter(args, settings, now):
    return ReportFilter.from_args(args, settings.timezone, local_today(settings.timezone, now))


def late_hours(settings):
    """The notice under which the report calls a cancellation late (see the policy)."""
    return policy.late_cancellation_hours(settings.cancel_notice_hours,
                                          [tier[0] for tier in fee_tiers()])


def _counted(shares):
    return [(s.label, s.count, f"{s.count} · {percent(s.share)}") for s in shares]


def report_charts(report):
    """The geometry of each chart on the page."""
    weeks = report.weeks
    return {
        "trend": charts.lines([w.label for w in weeks], [
            ("This period", [w.rate for w in weeks], "current", percent),
            ("Previous period", [w.previous_rate for w in weeks], "previous", percent)]),
        "reasons": charts.hbars(_counted(report.reasons)),
        "channels": charts.hbars(_counted(
            [s.__class__(CHANNELS.get(s.key, s.key or "Unknown"), s.count, s.share, s.key)
             for s in report.channels])),
        "notice": charts.vbars(_counted(report.notice)),
        "late": charts.hbars([
            ("Late cancellations", report.late, str(report.late)),
            ("No-shows", report.no_shows, str(report.no_shows))]),
        "services": charts.hbars([(s.label, s.cancelled, f"{s.cancelled} of {s.booked}")
                                  for s in report.services]),
        "fieldworkers": charts.hbars([(s.label, s.cancelled, f"{s.cancelled} of {s.booked}")
                                      for s in report.fieldworkers]),
    }


def cancellations_page(args, settings, now):
    """Everything the page's template needs, in a fixed number of queries."""
    flt = report_filter(args, settings, now)
    report = cancellation_report(flt, late_hours(settings))
    return {"filters": flt, "report": report, "charts": report_charts(report),
            "options": filter_options(), "presets": PRESETS, "channels": CHANNELS,
            "initiators": INITIATORS}
