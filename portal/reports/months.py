"""Whole calendar months of report_day: report_month (what the timeline, services and
fieldworkers read) and report_reason_month (the cancellations per reason and channel), each
added up again from the days in the transaction that counted them (summary.refresh), so a
month never disagrees with its days."""
from datetime import date, datetime

from peewee import Value, fn

from ..bookings.models import CANCELLED
from ..kernel.db import is_postgres
from .models import NOTICE_BOUNDS, ReportDay, ReportMonth, ReportReasonMonth
from .spans import next_month

MONTH_KEY = ("staff_id", "service_id", "status", "cancel_channel", "cancelled_by_kind")
MONTH_FIELDS = ("month", *MONTH_KEY, "bookings", "rescheduled", "moves", "price", "notice_24",
                "notice_48", "notice_168", "notice_over")
REASON_KEY = ("staff_id", "service_id", "cancel_channel", "cancelled_by_kind",
              "cancel_reason_id", "cancel_reason_label")
MONTH_TABLES = (ReportMonth, ReportReasonMonth)


def _as_date(day):
    return day if isinstance(day, date) else datetime.fromisoformat(day).date()


def _every_month():
    """The first days of every month report_day has a day in."""
    first, last = ReportDay.select(fn.MIN(ReportDay.day), fn.MAX(ReportDay.day)).tuples()[0]
    if first is None:
        return []
    months, month, last = [], _as_date(first).replace(day=1), _as_date(last)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def _notice_sums():
    """SUM(bookings) per notice column of report_month (NOTICE_BOUNDS)."""
    bounds = (None, *NOTICE_BOUNDS, None)
    sums = []
    for low, high in zip(bounds, bounds[1:]):
        condition = ReportDay.notice_hours.is_null(False)
        if low is not None:
            condition &= ReportDay.notice_hours >= low
        if high is not None:
            condition &= ReportDay.notice_hours < high
        sums.append(fn.COALESCE(fn.SUM(ReportDay.bookings).filter(condition), 0))
    return sums


def count_months(months: set | None = None) -> None:
    """Count both month tables again from report_day for `months` (first days), or every
    month: one INSERT ... SELECT per month and table, in the caller's transaction."""
    if months is None:
        for model in MONTH_TABLES:
            model.delete().execute()
        months = _every_month()
    else:
        months = sorted(months)
        for model in MONTH_TABLES:
            model.delete().where(model.month.in_(months)).execute()
    key = [getattr(ReportDay, name) for name in MONTH_KEY]
    reason_key = [getattr(ReportDay, name) for name in REASON_KEY]
    notice = _notice_sums()
    for month in months:
        # SQLite keeps dates as ISO text; PostgreSQL takes the date (a text literal would be
        # text in the SELECT list).
        value = Value(month if is_postgres() else month.isoformat())
        within = (ReportDay.day >= month, ReportDay.day < next_month(month))
        ReportMonth.insert_from(
            ReportDay.select(value, *key, fn.SUM(ReportDay.bookings),
                             fn.SUM(ReportDay.rescheduled), fn.SUM(ReportDay.moves),
                             fn.SUM(ReportDay.price), *notice)
            .where(*within).group_by(*key),
            fields=[getattr(ReportMonth, name) for name in MONTH_FIELDS]).execute()
        ReportReasonMonth.insert_from(
            ReportDay.select(value, *reason_key, fn.SUM(ReportDay.bookings))
            .where(*within, ReportDay.status == CANCELLED).group_by(*reason_key),
            fields=[ReportReasonMonth.month, *(getattr(ReportReasonMonth, name)
                                              for name in REASON_KEY),
                    ReportReasonMonth.bookings]).execute()
