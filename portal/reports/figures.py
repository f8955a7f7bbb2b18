"""The report's counts, read from the summary (report_day) instead of every booking.

A period's whole calendar months come from report_month (report_day added up per month) for
the timeline, services and fieldworkers, from report_reason_month for the reasons and
channels, and from report_money_month for fees and refunds; only its edge days from
report_day (report_money): each is one statement, a UNION ALL of the runs
(spans.py) summed as one.

Each function mirrors the detail query it replaced in cancellations.py: the same filters
(period days, service, fieldworker, channel, initiator) as WHERE terms on summary columns, and
every count a SUM of the rows' booking counts. A fieldworker's figures come from the rows of
that fieldworker's bookings (staff_id), everything else from the bookings' own rows.
"""
from bisect import bisect_right
from datetime import date
from functools import reduce
from operator import add, and_

from peewee import JOIN, Case, fn

from ..billing.models import CANCELLATION_FEE, NO_SHOW_FEE
from ..bookings.models import CANCELLED, NO_SHOW, Service
from ..people import Staff
from ..settings import CancellationReason
from .models import BOOKING_ROW, NOTICE_BOUNDS, REFUND, ReportDay, ReportMoney, \
    ReportMoneyMonth, ReportMonth, ReportReasonMonth
from .period import WEEKLY_UP_TO_DAYS, buckets
from .spans import pieces

STAFF_KINDS = ("admin", "fieldworker")


def _sum_if(condition, value=ReportDay.bookings):
    """SUM(value) FILTER (WHERE condition): both databases skip the row outright (a CASE in
    the SUM was evaluated and added for every row: the timeline cost a quarter more). Empty,
    it is NULL where the CASE gave 0, so a caller reading it as a count takes None as 0."""
    return fn.SUM(value).filter(condition)


class SummaryTerms:
    """The filter as WHERE terms on report_day (or report_money: the same columns)."""

    def __init__(self, flt, model=ReportDay):
        self.flt, self.model = flt, model

    def rows(self):
        """The filter's rows: its fieldworker's, or the bookings' own."""
        m = self.model
        if self.flt.fieldworker:
            terms = [m.staff_id == self.flt.fieldworker]
        else:
            terms = [m.staff_id == BOOKING_ROW]
        if self.flt.service:
            terms.append(m.service_id == self.flt.service)
        return terms

    def runs(self, periods, months=True, month_model=ReportMonth, day_model=ReportDay):
        """[(terms, model, its day column, WHERE terms for one run)] covering `periods`: day
        runs on `day_model`, whole months on `month_model`."""
        days, month_runs = pieces(periods, months)
        day_terms, month_terms = SummaryTerms(self.flt, day_model), SummaryTerms(self.flt,
                                                                                 month_model)
        return ([(day_terms, day_model, day_model.day, [day_model.day >= first,
                                                        day_model.day <= last])
                 for first, last in days]
                + [(month_terms, month_model, month_model.month,
                    [month_model.month >= first, month_model.month < stop])
                   for first, stop in month_runs])

    def cancelled_terms(self):
        """The terms for "a cancellation this report counts" (report_reason_month holds only
        cancellations: no status term there)."""
        m = self.model
        terms = [] if m is ReportReasonMonth else [m.status == CANCELLED]
        if self.flt.channel:
            terms.append(m.cancel_channel == self.flt.channel)
        if self.flt.initiator == "customer":
            terms.append(m.cancelled_by_kind == "customer")
        elif self.flt.initiator == "staff":
            terms.append(m.cancelled_by_kind.in_(STAFF_KINDS))
        elif self.flt.initiator == "integration":
            terms.append(m.cancelled_by_kind == "integration")
        return terms

    def cancelled(self):
        return reduce(and_, self.cancelled_terms())


def notice(low, high):
    """Rows with notice in [low, high) hours (None: open); exact for whole-hour bounds up to
    summary.NOTICE_CAP (see summary.notice_hours)."""
    condition = ReportDay.notice_hours.is_null(False)
    if low is not None:
        condition &= ReportDay.notice_hours >= low
    if high is not None:
        condition &= ReportDay.notice_hours < high
    return condition


# report_month's column for each notice bucket [low, high) (None: open).
MONTH_NOTICE = dict(zip(zip((None, *NOTICE_BOUNDS), (*NOTICE_BOUNDS, None)),
                        (ReportMonth.notice_24, ReportMonth.notice_48, ReportMonth.notice_168,
                         ReportMonth.notice_over)))


def _timeline_columns(terms, late_hours, notice_buckets):
    m, cancelled = terms.model, terms.cancelled()
    columns = [fn.SUM(m.bookings), _sum_if(cancelled, m.bookings),
               _sum_if(m.status == NO_SHOW, m.bookings)]
    if m is ReportDay:
        columns.append(_sum_if(cancelled & notice(None, late_hours)))
        notices = [_sum_if(cancelled & notice(low, high)) for _, low, high in notice_buckets]
    else:  # whole months: their notice columns (months_fit() said every bound is one of them)
        late = [column for (_, high), column in MONTH_NOTICE.items()
                if high is not None and high <= late_hours]
        columns.append(_sum_if(cancelled, reduce(add, late)))
        notices = [_sum_if(cancelled, MONTH_NOTICE[(low, high)])
                   for _, low, high in notice_buckets]
    return columns + [fn.SUM(m.rescheduled), fn.SUM(m.moves), _sum_if(cancelled, m.price),
                      *notices]


def _months_fit(flt, late_hours, notice_buckets):
    """Whole months can stand in for their days: each is inside one bucket (the buckets are
    months), and every notice bound the timeline asks about is a column of report_month."""
    monthly = all((last - first).days >= WEEKLY_UP_TO_DAYS
                  for first, last in (flt.previous, (flt.start, flt.end)))
    return (monthly and late_hours in NOTICE_BOUNDS
            and all((low, high) in MONTH_NOTICE for _, low, high in notice_buckets))


def _as_date(value):
    return value if isinstance(value, date) else date.fromisoformat(value)


def timeline(terms, late_hours, notice_buckets):
    """{bucket index: [booked, cancelled, no-shows, late, rescheduled, moves, lost, notice...]}
    over the previous period's buckets then the current one's: one query, its rows per day
    (per month for whole months when the buckets are months)."""
    flt = terms.flt
    weeks = buckets(*flt.previous) + buckets(flt.start, flt.end)
    runs = terms.runs([flt.previous, (flt.start, flt.end)],
                      months=_months_fit(flt, late_hours, notice_buckets))
    rows = reduce(add, (model.select(day, *_timeline_columns(run_terms, late_hours,
                                                             notice_buckets))
                        .where(*where, *run_terms.rows()).group_by(day)
                        for run_terms, model, day, where in runs)).tuples()
    starts = [week.start for week in weeks]
    out = {}
    for day, *figures in rows:
        day = _as_date(day)
        i = bisect_right(starts, day) - 1
        if i < 0 or day > weeks[i].end:
            continue  # not in a bucket (never: the runs cover the buckets' days only)
        total = out.setdefault(i, [0] * len(figures))
        for n, value in enumerate(figures):
            total[n] += int(value or 0)
    return out


def money(flt):
    """({fee kind: minor units}, {refund status: (refunds, minor units)}): one query, whole
    months from report_money_month and edge days from report_money, each run grouped by kind
    and refund status and the runs added up. Fees count on the bookings they are for (a
    cancellation fee on a cancellation the report counts, a no-show fee on a no-show); refunds
    on the cancellations the report counts."""
    selects = []
    for terms, m, _, where in SummaryTerms(flt, ReportMoney).runs(
            [(flt.start, flt.end)], month_model=ReportMoneyMonth, day_model=ReportMoney):
        cancelled = terms.cancelled()
        counted = (((m.kind == CANCELLATION_FEE) & cancelled)
                   | ((m.kind == NO_SHOW_FEE) & (m.status == NO_SHOW))
                   | ((m.kind == REFUND) & cancelled))
        selects.append(m.select(m.kind.alias("kind"), m.refund_status.alias("refund_status"),
                                fn.SUM(m.items).alias("items"), fn.SUM(m.amount).alias("amount"))
                       .where(counted, *where, *terms.rows()).group_by(m.kind, m.refund_status))
    parts = reduce(add, selects).alias("runs")
    fees, refunds = {}, {}
    for kind, status, items, amount in (
            parts.select_from(parts.c.kind, parts.c.refund_status, fn.SUM(parts.c.items),
                              fn.SUM(parts.c.amount))
            .group_by(parts.c.kind, parts.c.refund_status).tuples()):
        if kind == REFUND:
            refunds[status] = (int(items), int(amount or 0))
        else:
            fees[kind] = int(amount or 0)
    return fees, refunds


def reasons_and_channels(terms):
    """([(reason label, is "Other", count)], [(channel, count)]), each by count, most first:
    one query over the period's cancellations grouped by both (whole months from
    report_reason_month, edge days from report_day), added up here (a reason or a channel
    query of its own read the same rows again). Each run is grouped before the reasons are
    joined, so the join meets a few hundred rows, not every cancellation row."""
    flt = terms.flt
    selects = []
    for run_terms, model, _, where in terms.runs([(flt.start, flt.end)],
                                                 month_model=ReportReasonMonth):
        label = fn.COALESCE(model.cancel_reason_label, "")
        selects.append(model.select(label.alias("label"), model.cancel_channel.alias("channel"),
                                    model.cancel_reason_id.alias("reason_id"),
                                    fn.SUM(model.bookings).alias("cancelled"))
                       .where(*run_terms.cancelled_terms(), *where, *run_terms.rows())
                       .group_by(label, model.cancel_channel, model.cancel_reason_id))
    parts = reduce(add, selects).alias("runs")
    rows = (parts.select_from(parts.c.label, parts.c.channel,
                              fn.MAX(Case(None, [(CancellationReason.is_other, 1)], 0)),
                              fn.SUM(parts.c.cancelled))
            .join(CancellationReason, JOIN.LEFT_OUTER,
                  on=(CancellationReason.id == parts.c.reason_id))
            .group_by(parts.c.label, parts.c.channel)
            .order_by(parts.c.label).tuples())  # the database's order of labels, kept for ties
    reasons, channels = {}, {}
    for reason, channel, other, count in rows:
        count = int(count)
        was_other, total = reasons.get(reason, (0, 0))
        reasons[reason] = (max(was_other, other), total + count)
        channels[channel] = channels.get(channel, 0) + count
    by_count = lambda item: -item[-1]  # noqa: E731 (sorted() keeps the order of equal counts)
    return (sorted(((reason, other, count) for reason, (other, count) in reasons.items()),
                   key=by_count),
            sorted(sorted(channels.items(), key=lambda item: item[0] or ""), key=by_count))


def services(terms):
    """Per service: each run aggregated before the names are joined (joined first, SQLite
    walked the period once per service), the runs added up in the same statement."""
    flt = terms.flt
    parts = reduce(add, (
        model.select(model.service_id.alias("service_id"), fn.SUM(model.bookings).alias("booked"),
                     _sum_if(run_terms.cancelled(), model.bookings).alias("cancelled"),
                     fn.SUM(model.rescheduled).alias("rescheduled"),
                     fn.SUM(model.moves).alias("moves"))
        .where(*where, *run_terms.rows()).group_by(model.service_id)
        for run_terms, model, _, where in terms.runs([(flt.start, flt.end)]))).alias("runs")
    return list(Service.select(Service.name, fn.SUM(parts.c.booked), fn.SUM(parts.c.cancelled),
                               fn.SUM(parts.c.rescheduled), fn.SUM(parts.c.moves))
                .join(parts, on=(Service.id == parts.c.service_id))
                .group_by(Service.id, Service.name).order_by(Service.name).tuples())


def fieldworkers(terms):
    """Per fieldworker, each run joined from the staff side: each person's rows are one range
    of the (staff_id, day or month, ...) index. Read as "every staff row but the bookings' own"
    SQLite walked the whole index, every day of every fieldworker, whatever the period."""
    flt = terms.flt
    selects = []
    for run_terms, model, day, where in terms.runs([(flt.start, flt.end)]):
        on = reduce(lambda a, b: a & b, where, model.staff_id == Staff.id)
        if flt.fieldworker:
            on &= model.staff_id == flt.fieldworker
        if flt.service:
            on &= model.service_id == flt.service
        selects.append(Staff.select(Staff.id.alias("id"), Staff.name.alias("name"),
                                    fn.SUM(model.bookings).alias("booked"),
                                    _sum_if(run_terms.cancelled(), model.bookings)
                                    .alias("cancelled"))
                       .join(model, on=on).group_by(Staff.id, Staff.name))
    parts = reduce(add, selects).alias("runs")
    return list(parts.select_from(parts.c.name, fn.SUM(parts.c.booked),
                                  fn.SUM(parts.c.cancelled))
                .group_by(parts.c.id, parts.c.name).order_by(parts.c.name, parts.c.id)
                .tuples())
