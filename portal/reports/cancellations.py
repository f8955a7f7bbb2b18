"""The cancellations report: every figure aggregated in SQL, a fixed number of queries.

Bookings are counted by their appointment's day (business timezone): a period's rate is the
share of the appointments in it that were cancelled, so it does not move when a booking made
long ago is cancelled today for a day outside the period.
"""
from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN, Case, Value, fn

from ..billing.models import CANCELLATION_FEE, NO_SHOW_FEE, Invoice, InvoiceLine, Refund
from ..bookings.listing import day_terms
from ..bookings.models import CANCELLED, NO_SHOW, Assignment, Booking, Service
from ..db import database, hours_between
from ..people import Staff
from ..settings import CancellationReason
from .period import buckets

NOTICE_BUCKETS = (("Under 24 hours", None, 24), ("24–48 hours", 24, 48),
                  ("2–7 days", 48, 168), ("Over 7 days", 168, None))
STAFF_KINDS = ("admin", "fieldworker")
OTHER_NOTES_SHOWN = 20
TOP_SERVICES = 5


def rate(part, whole):
    return part / whole if whole else None


def _count_if(condition):
    return fn.SUM(Case(None, [(condition, 1)], 0))


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    share: float | None  # of all cancellations in the period
    key: object = None


@dataclass(frozen=True)
class Split:
    """One service or fieldworker: its bookings, cancellations and reschedules."""
    label: str
    booked: int
    cancelled: int
    rescheduled: int = 0  # bookings moved at least once
    moves: int = 0  # reschedules in all

    @property
    def rate(self):
        return rate(self.cancelled, self.booked)


@dataclass(frozen=True)
class Week:
    label: str
    booked: int
    cancelled: int
    previous_label: str | None = None
    previous_booked: int = 0
    previous_cancelled: int = 0

    @property
    def rate(self):
        return rate(self.cancelled, self.booked)

    @property
    def previous_rate(self):
        return rate(self.previous_cancelled, self.previous_booked)


@dataclass
class Report:
    booked: int
    cancelled: int
    previous_booked: int
    previous_cancelled: int
    no_shows: int
    late: int
    late_hours: int
    rescheduled: int
    moves: int
    lost: int  # the prices of the cancelled visits
    weeks: list
    notice: list  # Share per NOTICE_BUCKETS row
    reasons: list
    other_notes: list  # (ref, starts_at, cancelled_at, note), newest first
    channels: list
    services: list
    fieldworkers: list
    fees: dict  # kind -> minor units
    refunds: dict  # status -> (count, minor units)

    @property
    def rate(self):
        return rate(self.cancelled, self.booked)

    @property
    def previous_rate(self):
        return rate(self.previous_cancelled, self.previous_booked)

    @property
    def change(self):
        """The rate's change against the previous period, in percentage points."""
        if self.rate is None or self.previous_rate is None:
            return None
        return (self.rate - self.previous_rate) * 100

    @property
    def fees_charged(self):
        return sum(self.fees.values())

    @property
    def net_lost(self):
        return self.lost - self.fees.get(CANCELLATION_FEE, 0)

    @property
    def top_rescheduled(self):
        moved = sorted((s for s in self.services if s.moves), key=lambda s: (-s.moves, s.label))
        return moved[:TOP_SERVICES]

    def share(self, count):
        return rate(count, self.cancelled)


class Terms:
    """The WHERE terms a filter makes, for the current or the previous period."""

    def __init__(self, flt):
        self.flt = flt

    def days(self, start, end):
        return day_terms(Booking.starts_at, start, end, self.flt.tz)

    def booking(self):
        terms = []
        if self.flt.service:
            terms.append(Booking.service == self.flt.service)
        if self.flt.fieldworker:
            terms.append(fn.EXISTS(Assignment.select(Assignment.id).where(
                (Assignment.booking == Booking.id)
                & (Assignment.staff == self.flt.fieldworker))))
        return terms

    def cancelled(self):
        """The condition for "a cancellation this report counts"."""
        condition = Booking.status == CANCELLED
        if self.flt.channel:
            condition &= Booking.cancel_channel == self.flt.channel
        if self.flt.initiator == "customer":
            condition &= Booking.cancelled_by_kind == "customer"
        elif self.flt.initiator == "staff":
            condition &= Booking.cancelled_by_kind.in_(STAFF_KINDS)
        elif self.flt.initiator == "integration":
            condition &= Booking.cancelled_by_kind == "integration"
        return condition

    def current(self):
        return self.days(self.flt.start, self.flt.end) + self.booking()


def _notice_condition(low, high):
    notice = hours_between(Booking.cancelled_at, Booking.starts_at)
    condition = Booking.cancelled_at.is_null(False)
    if low is not None:
        condition &= notice >= low
    if high is not None:
        condition &= notice < high
    return condition


# Stand-ins for a week's number and UTC bounds while one week's statement is built.
_MARK, _FROM, _TO = -7_070_707, datetime(1901, 1, 1), datetime(1901, 1, 2)


def _weekly(flt, query_for):
    """One aggregate per week of both periods, as one UNION ALL statement; each part is a
    range scan of an index on the start time, far cheaper than grouping every row by a CASE
    over the week boundaries. Returns {week index: [figures]}, the previous period first.

    Weeks are cut in Python, so DST and the business timezone never meet an engine's date
    functions. Peewee builds SQL in Python, and fifty copies of a wide SELECT took longer to
    build than to run: one week's statement is built and repeated with each week's values.
    """
    sql, params = query_for(Value(_MARK), Booking.starts_at >= _FROM,
                            Booking.starts_at < _TO).sql()
    statements, values = [], []
    for i, week in enumerate(buckets(*flt.previous) + buckets(flt.start, flt.end)):
        start, end = (term.rhs for term in day_terms(Booking.starts_at, week.start, week.end,
                                                     flt.tz))
        marks = {_MARK: i, _FROM: start, _TO: end}
        statements.append(sql)
        values += [marks.get(v, v) if isinstance(v, (int, datetime)) else v for v in params]
    rows = database.execute_sql(" UNION ALL ".join(statements), values).fetchall()
    return {row[0]: [int(v or 0) for v in row[1:]] for row in rows}


def _timeline(flt, terms, late_hours):
    """Two weekly queries: every booking (an index-only scan), then the cancellations alone
    (a sixth of the rows): counts, late, money lost, notice. {week: [figures]}."""
    def bookings(index, *days):
        return Booking.select(index, fn.COUNT(Booking.id), _count_if(Booking.status == NO_SHOW),
                              _count_if(Booking.reschedule_count > 0),
                              fn.SUM(Booking.reschedule_count)).where(*days, *terms.booking())

    def cancellations(index, *days):
        columns = [fn.COUNT(Booking.id), _count_if(_notice_condition(None, late_hours)),
                   fn.SUM(Booking.price)]
        columns += [_count_if(_notice_condition(low, high)) for _, low, high in NOTICE_BUCKETS]
        return Booking.select(index, *columns).where(terms.cancelled(), *days, *terms.booking())

    everything, cancelled = _weekly(flt, bookings), _weekly(flt, cancellations)
    zero = [0] * (3 + len(NOTICE_BUCKETS))
    # booked, cancelled, no-shows, late, rescheduled, moves, lost, notice...
    return {i: [row[0], cancelled.get(i, zero)[0], row[1], cancelled.get(i, zero)[1], row[2],
                row[3], cancelled.get(i, zero)[2], *cancelled.get(i, zero)[3:]]
            for i, row in everything.items()}


def _reasons(terms):
    label = fn.COALESCE(Booking.cancel_reason_label, "")
    count = fn.COUNT(Booking.id)
    return list(Booking.select(label, fn.MAX(Case(None, [(CancellationReason.is_other, 1)], 0)),
                               count)
                .join(CancellationReason, JOIN.LEFT_OUTER)
                .where(terms.cancelled(), *terms.current())
                .group_by(label).order_by(count.desc(), label).tuples())


def _other_notes(terms):
    return list(Booking.select(Booking.ref, Booking.starts_at, Booking.cancelled_at,
                               Booking.cancel_note)
                .join(CancellationReason)
                .where(terms.cancelled(), CancellationReason.is_other,
                       Booking.cancel_note.is_null(False), Booking.cancel_note != "",
                       *terms.current())
                .order_by(Booking.cancelled_at.desc(), Booking.id.desc())
                .limit(OTHER_NOTES_SHOWN).tuples())


def _channels(terms):
    count = fn.COUNT(Booking.id)
    return list(Booking.select(Booking.cancel_channel, count)
                .where(terms.cancelled(), *terms.current())
                .group_by(Booking.cancel_channel).order_by(count.desc()).tuples())


def _services(terms):
    """Per service; grouped on the booking's own column, names read apart: joined first,
    SQLite walked the period once per service."""
    names = dict(Service.select(Service.id, Service.name).tuples())
    rows = (Booking.select(Booking.service, fn.COUNT(Booking.id), _count_if(terms.cancelled()),
                           _count_if(Booking.reschedule_count > 0),
                           fn.SUM(Booking.reschedule_count))
            .where(*terms.current()).group_by(Booking.service).tuples())
    return sorted(((names.get(service_id, "?"), *figures) for service_id, *figures in rows),
                  key=lambda row: row[0])


def _fieldworkers(terms):
    query = (Assignment.select(Staff.name, fn.COUNT(Booking.id), _count_if(terms.cancelled()))
             .join(Booking).switch(Assignment).join(Staff)
             .where(*terms.current()))
    if terms.flt.fieldworker:
        query = query.where(Assignment.staff == terms.flt.fieldworker)
    return list(query.group_by(Staff.id, Staff.name).order_by(Staff.name).tuples())


def _fees(terms):
    charged = (((InvoiceLine.kind == CANCELLATION_FEE) & terms.cancelled())
               | ((InvoiceLine.kind == NO_SHOW_FEE) & (Booking.status == NO_SHOW)))
    return dict(InvoiceLine.select(InvoiceLine.kind, fn.SUM(InvoiceLine.amount))
                .join(Invoice).join(Booking).where(charged, *terms.current())
                .group_by(InvoiceLine.kind).tuples())


def _refunds(terms):
    return {status: (count, total) for status, count, total in
            Refund.select(Refund.status, fn.COUNT(Refund.id), fn.SUM(Refund.amount))
            .join(Invoice).join(Booking).where(terms.cancelled(), *terms.current())
            .group_by(Refund.status).tuples()}


def cancellation_report(flt, late_hours):
    """The report for `flt`; a late cancellation is one with under `late_hours` notice."""
    terms = Terms(flt)
    previous_weeks, current_weeks = buckets(*flt.previous), buckets(flt.start, flt.end)
    figures = _timeline(flt, terms, late_hours)
    zero = [0] * (7 + len(NOTICE_BUCKETS))
    previous = [figures.get(i, zero) for i in range(len(previous_weeks))]
    current = [figures.get(len(previous_weeks) + i, zero) for i in range(len(current_weeks))]
    total = [sum(column) for column in zip(zero, *current)]
    weeks = []
    for i, week in enumerate(current_weeks):
        before = previous_weeks[i] if i < len(previous_weeks) else None
        weeks.append(Week(week.label, current[i][0], current[i][1],
                          before.label if before else None,
                          previous[i][0] if before else 0, previous[i][1] if before else 0))
    cancelled = total[1]
    share = lambda count: rate(count, cancelled)  # noqa: E731
    return Report(
        booked=total[0], cancelled=cancelled,
        previous_booked=sum(row[0] for row in previous),
        previous_cancelled=sum(row[1] for row in previous),
        no_shows=total[2], late=total[3], late_hours=late_hours, rescheduled=total[4],
        moves=total[5], lost=total[6], weeks=weeks,
        notice=[Share(label, count, share(count))
                for (label, _, _), count in zip(NOTICE_BUCKETS, total[7:])],
        reasons=[Share(label or "No reason given", count, share(count), bool(other))
                 for label, other, count in _reasons(terms)],
        other_notes=_other_notes(terms),
        channels=[Share(channel or "", count, share(count), channel)
                  for channel, count in _channels(terms)],
        services=[Split(name, booked, cancelled_, moved or 0, moves or 0)
                  for name, booked, cancelled_, moved, moves in _services(terms)],
        fieldworkers=[Split(name, booked, cancelled_ or 0)
                      for name, booked, cancelled_ in _fieldworkers(terms)],
        fees={kind: int(amount or 0) for kind, amount in _fees(terms).items()},
        refunds={status: (int(count), int(amount or 0))
                 for status, (count, amount) in _refunds(terms).items()})
