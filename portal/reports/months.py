"""Whole calendar months of the report summary: report_month (what the timeline, services and
fieldworkers read), report_reason_month (the cancellations per reason and channel) from
report_day, and report_money_month (fees and refunds) from report_money; each added up again
from the days in the transaction that counted them (summary.refresh), so a month never
disagrees with its days."""
from functools import reduce
from operator import or_

from peewee import SQL, Cast, fn

from ..bookings.models import CANCELLED
from ..kernel.db import is_postgres
from .models import NOTICE_BOUNDS, ReportDay, ReportMoney, ReportMoneyMonth, ReportMonth, \
    ReportReasonMonth
from .spans import next_month

MONTH_KEY = ("staff_id", "service_id", "status", "cancel_channel", "cancelled_by_kind")
MONTH_FIELDS = ("month", *MONTH_KEY, "bookings", "rescheduled", "moves", "price", "notice_24",
                "notice_48", "notice_168", "notice_over")
REASON_KEY = ("staff_id", "service_id", "cancel_channel", "cancelled_by_kind",
              "cancel_reason_id", "cancel_reason_label")
MONEY_KEY = ("staff_id", "service_id", "status", "cancel_channel", "cancelled_by_kind", "kind",
             "refund_status")
MONTH_TABLES = (ReportMonth, ReportReasonMonth, ReportMoneyMonth)


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


def _month_of(day):
    """The first day of `day`'s month, as each database keeps a date (SQLite: ISO text)."""
    # Literals, not parameters: the GROUP BY repeats the expression, and a database matches
    # it against the SELECT list's only when the two are written alike.
    if is_postgres():
        return Cast(fn.date_trunc(SQL("'month'"), day), "date")
    return fn.strftime(SQL("'%Y-%m-01'"), day)


def _within(query, day, months):
    """`query` kept to the days of `months` (first days), or to none (None: every month)."""
    if months is None:
        return query
    return query.where(reduce(or_, ((day >= month) & (day < next_month(month))
                                    for month in months)))


def count_months(months: set | None = None) -> None:
    """Count the month tables again from report_day and report_money for `months` (first
    days), or every month: one INSERT ... SELECT per table, grouped by month, in the caller's
    transaction."""
    months = None if months is None else sorted(months)
    for model in MONTH_TABLES:
        query = model.delete()
        if months is not None:
            query = query.where(model.month.in_(months))
        query.execute()
    month = _month_of(ReportDay.day)
    key = [month, *(getattr(ReportDay, name) for name in MONTH_KEY)]
    ReportMonth.insert_from(
        _within(ReportDay.select(*key, fn.SUM(ReportDay.bookings), fn.SUM(ReportDay.rescheduled),
                                 fn.SUM(ReportDay.moves), fn.SUM(ReportDay.price),
                                 *_notice_sums()), ReportDay.day, months).group_by(*key),
        fields=[getattr(ReportMonth, name) for name in MONTH_FIELDS]).execute()
    key = [month, *(getattr(ReportDay, name) for name in REASON_KEY)]
    ReportReasonMonth.insert_from(
        _within(ReportDay.select(*key, fn.SUM(ReportDay.bookings))
                .where(ReportDay.status == CANCELLED), ReportDay.day, months).group_by(*key),
        fields=[getattr(ReportReasonMonth, name) for name in ("month", *REASON_KEY, "bookings")]
    ).execute()
    key = [_month_of(ReportMoney.day), *(getattr(ReportMoney, name) for name in MONEY_KEY)]
    ReportMoneyMonth.insert_from(
        _within(ReportMoney.select(*key, fn.SUM(ReportMoney.items), fn.SUM(ReportMoney.amount)),
                ReportMoney.day, months).group_by(*key),
        fields=[getattr(ReportMoneyMonth, name) for name in ("month", *MONEY_KEY, "items",
                                                               "amount")]).execute()
