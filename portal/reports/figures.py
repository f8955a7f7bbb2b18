"""The report's counts, read from the summary (report_day) instead of every booking.

Each function mirrors the detail query it replaced in cancellations.py: the same filters
(period days, service, fieldworker, channel, initiator) as WHERE terms on summary columns, and
every count a SUM of the rows' booking counts. A fieldworker's figures come from the rows of
that fieldworker's bookings (staff_id), everything else from the bookings' own rows.
"""
from bisect import bisect_right

from peewee import JOIN, Case, fn

from ..billing.models import CANCELLATION_FEE, NO_SHOW_FEE
from ..bookings.models import CANCELLED, NO_SHOW, Service
from ..people import Staff
from ..settings import CancellationReason
from .models import BOOKING_ROW, REFUND, ReportDay, ReportMoney
from .period import buckets

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

    def current(self):
        return [self.model.day >= self.flt.start, self.model.day <= self.flt.end, *self.rows()]

    def cancelled(self):
        m = self.model
        condition = m.status == CANCELLED
        if self.flt.channel:
            condition &= m.cancel_channel == self.flt.channel
        if self.flt.initiator == "customer":
            condition &= m.cancelled_by_kind == "customer"
        elif self.flt.initiator == "staff":
            condition &= m.cancelled_by_kind.in_(STAFF_KINDS)
        elif self.flt.initiator == "integration":
            condition &= m.cancelled_by_kind == "integration"
        return condition


def notice(low, high):
    """Rows with notice in [low, high) hours (None: open); exact for whole-hour bounds up to
    summary.NOTICE_CAP (see summary.notice_hours)."""
    condition = ReportDay.notice_hours.is_null(False)
    if low is not None:
        condition &= ReportDay.notice_hours >= low
    if high is not None:
        condition &= ReportDay.notice_hours < high
    return condition


def timeline(terms, late_hours, notice_buckets):
    """{bucket index: [booked, cancelled, no-shows, late, rescheduled, moves, lost, notice...]}
    over the previous period's buckets then the current one's: one query grouped by day."""
    flt = terms.flt
    weeks = buckets(*flt.previous) + buckets(flt.start, flt.end)
    cancelled = terms.cancelled()
    columns = [fn.SUM(ReportDay.bookings), _sum_if(cancelled),
               _sum_if(ReportDay.status == NO_SHOW), _sum_if(cancelled & notice(None, late_hours)),
               fn.SUM(ReportDay.rescheduled), fn.SUM(ReportDay.moves),
               _sum_if(cancelled, ReportDay.price)]
    columns += [_sum_if(cancelled & notice(low, high)) for _, low, high in notice_buckets]
    rows = (ReportDay.select(ReportDay.day, *columns)
            .where(ReportDay.day >= min(flt.previous[0], flt.start), ReportDay.day <= flt.end,
                   *terms.rows())
            .group_by(ReportDay.day).tuples())
    starts = [week.start for week in weeks]
    out = {}
    for day, *figures in rows:
        i = bisect_right(starts, day) - 1
        if i < 0 or day > weeks[i].end:
            continue  # between the periods ("this month" against last month's same days)
        total = out.setdefault(i, [0] * len(figures))
        for n, value in enumerate(figures):
            total[n] += int(value or 0)
    return out


def money(flt):
    """({fee kind: minor units}, {refund status: (refunds, minor units)}): one query. Fees
    count on the bookings they are for (a cancellation fee on a cancellation the report
    counts, a no-show fee on a no-show); refunds on the cancellations the report counts."""
    terms = SummaryTerms(flt, ReportMoney)
    cancelled = terms.cancelled()
    counted = (((ReportMoney.kind == CANCELLATION_FEE) & cancelled)
               | ((ReportMoney.kind == NO_SHOW_FEE) & (ReportMoney.status == NO_SHOW))
               | ((ReportMoney.kind == REFUND) & cancelled))
    fees, refunds = {}, {}
    for kind, status, items, amount in (
            ReportMoney.select(ReportMoney.kind, ReportMoney.refund_status,
                               fn.SUM(ReportMoney.items), fn.SUM(ReportMoney.amount))
            .where(counted, *terms.current())
            .group_by(ReportMoney.kind, ReportMoney.refund_status).tuples()):
        if kind == REFUND:
            refunds[status] = (int(items), int(amount or 0))
        else:
            fees[kind] = int(amount or 0)
    return fees, refunds


def reasons_and_channels(terms):
    """([(reason label, is "Other", count)], [(channel, count)]), each by count, most first:
    one query over the period's cancellations grouped by both, added up here (a reason or a
    channel query of its own read the same rows again)."""
    label = fn.COALESCE(ReportDay.cancel_reason_label, "")
    rows = (ReportDay.select(label, ReportDay.cancel_channel,
                             fn.MAX(Case(None, [(CancellationReason.is_other, 1)], 0)),
                             fn.SUM(ReportDay.bookings))
            .join(CancellationReason, JOIN.LEFT_OUTER,
                  on=(CancellationReason.id == ReportDay.cancel_reason_id))
            .where(terms.cancelled(), *terms.current())
            .group_by(label, ReportDay.cancel_channel)
            .order_by(label).tuples())  # the database's order of labels, kept for equal counts
    reasons, channels = {}, {}
    for reason, channel, other, count in rows:
        was_other, total = reasons.get(reason, (0, 0))
        reasons[reason] = (max(was_other, other), total + count)
        channels[channel] = channels.get(channel, 0) + count
    by_count = lambda item: -item[-1]  # noqa: E731 (sorted() keeps the order of equal counts)
    return (sorted(((reason, other, count) for reason, (other, count) in reasons.items()),
                   key=by_count),
            sorted(sorted(channels.items(), key=lambda item: item[0] or ""), key=by_count))


def services(terms):
    """Per service, aggregated before the names are joined: joined first, SQLite walked the
    period once per service."""
    figures = (ReportDay.select(ReportDay.service_id, fn.SUM(ReportDay.bookings).alias("booked"),
                                _sum_if(terms.cancelled()).alias("cancelled"),
                                fn.SUM(ReportDay.rescheduled).alias("rescheduled"),
                                fn.SUM(ReportDay.moves).alias("moves"))
               .where(*terms.current()).group_by(ReportDay.service_id))
    return list(Service.select(Service.name, figures.c.booked, figures.c.cancelled,
                               figures.c.rescheduled, figures.c.moves)
                .join(figures, on=(Service.id == figures.c.service_id))
                .order_by(Service.name).tuples())


def fieldworkers(terms):
    """Per fieldworker, joined from the staff side: each person's rows are one range of the
    (staff_id, day, ...) index. Read as "every staff row but the bookings' own" SQLite walked
    the whole index, every day of every fieldworker, whatever the period."""
    flt = terms.flt
    on = ((ReportDay.staff_id == Staff.id) & (ReportDay.day >= flt.start)
          & (ReportDay.day <= flt.end))
    if flt.fieldworker:
        on &= ReportDay.staff_id == flt.fieldworker
    if flt.service:
        on &= ReportDay.service_id == flt.service
    return list(Staff.select(Staff.name, fn.SUM(ReportDay.bookings),
                             _sum_if(terms.cancelled()))
                .join(ReportDay, on=on)
                .group_by(Staff.id, Staff.name).order_by(Staff.name, Staff.id).tuples())
