"""The cancellations report: every figure aggregated in SQL, a fixed number of queries.

The counts, fees and refunds come from the per-day summaries (figures.py, kept current by
summary.py); the notes from the bookings themselves (a page of them).

Bookings are counted by their appointment's day (business timezone): a period's rate is the
share of the appointments in it that were cancelled, so it does not move when a booking made
long ago is cancelled today for a day outside the period.
"""
from dataclasses import dataclass

from peewee import fn

from ..billing.models import CANCELLATION_FEE
from ..bookings.models import CANCELLED, NOTED, Assignment, Booking
from ..bookings.waitlist_models import CLAIMED, WaitlistOffer
from ..kernel.db import hours_between
from ..kernel.listing import day_terms
from ..settings import CancellationReason
from . import figures
from .period import buckets
from .orders import order_cancellations
from .summary import refresh

NOTICE_BUCKETS = (("Under 24 hours", None, 24), ("24–48 hours", 24, 48),
                  ("2–7 days", 48, 168), ("Over 7 days", 168, None))
STAFF_KINDS = ("admin", "fieldworker")
OTHER_NOTES_SHOWN = 20
TOP_SERVICES = 5


def rate(part, whole):
    return part / whole if whole else None


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
    orders: object = None  # orders.OrderCancellations: cancelled orders, by cancellation day
    refilled: "Refilled | None" = None  # cancellations whose time the waitlist booked again

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


@dataclass(frozen=True)
class Refilled:
    """Cancelled visits whose time a waitlist customer claimed (and still has)."""
    count: int = 0
    hours: float = 0.0  # the booked time recovered
    revenue: int = 0  # the refill bookings' prices, minor units


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


def _other_notes(terms):
    """The period's newest OTHER_NOTES_SHOWN "Other" notes: picked by id in the index of
    noted cancellations (NOTED: every column filtered and ordered by is in it), then only
    those rows read. Read in one step, every noted cancellation of the period was read from
    the table for its note, or (a plan PostgreSQL chose) every booking by its reason."""
    # The reason as a list of ids, not a join: the candidates are narrowed to "Other" in the
    # index.
    others = CancellationReason.select(CancellationReason.id).where(CancellationReason.is_other)
    newest = (Booking.select(Booking.id)
              .where(NOTED, terms.cancelled(), Booking.cancel_reason.in_(others),
                     *terms.current())
              .order_by(Booking.cancelled_at.desc(), Booking.id.desc())
              .limit(OTHER_NOTES_SHOWN))
    return list(Booking.select(Booking.ref, Booking.starts_at, Booking.cancelled_at,
                               Booking.cancel_note)
                .where(Booking.id.in_(newest))
                .order_by(Booking.cancelled_at.desc(), Booking.id.desc()).tuples())


def _refilled(terms):
    """One query: the period's cancellations (as counted above) refilled from the waitlist."""
    refill = Booking.alias()
    count, hours, revenue = (
        WaitlistOffer.select(fn.COUNT(fn.DISTINCT(Booking.id)),
                             fn.SUM(hours_between(refill.starts_at, refill.ends_at)),
                             fn.SUM(refill.price))
        .join(Booking, on=(WaitlistOffer.released_from == Booking.id))
        .switch(WaitlistOffer).join(refill, on=(WaitlistOffer.booking == refill.id))
        .where(WaitlistOffer.state == CLAIMED, refill.status != CANCELLED, terms.cancelled(),
               *terms.current())
        .tuples().first())
    return Refilled(int(count or 0), round(float(hours or 0), 2), int(revenue or 0))


def cancellation_report(flt, late_hours):
    """The report for `flt`; a late cancellation is one with under `late_hours` notice."""
    refresh(flt.tz)
    terms, summary = Terms(flt), figures.SummaryTerms(flt)
    previous_weeks, current_weeks = buckets(*flt.previous), buckets(flt.start, flt.end)
    timeline = figures.timeline(summary, late_hours, NOTICE_BUCKETS)
    zero = [0] * (7 + len(NOTICE_BUCKETS))
    previous = [timeline.get(i, zero) for i in range(len(previous_weeks))]
    current = [timeline.get(len(previous_weeks) + i, zero) for i in range(len(current_weeks))]
    total = [sum(column) for column in zip(zero, *current)]
    weeks = []
    for i, week in enumerate(current_weeks):
        before = previous_weeks[i] if i < len(previous_weeks) else None
        weeks.append(Week(week.label, current[i][0], current[i][1],
                          before.label if before else None,
                          previous[i][0] if before else 0, previous[i][1] if before else 0))
    cancelled = total[1]
    fees, refunds = figures.money(flt)
    reasons, channels = figures.reasons_and_channels(summary)
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
                 for label, other, count in reasons],
        other_notes=_other_notes(terms),
        channels=[Share(channel or "", count, share(count), channel)
                  for channel, count in channels],
        services=[Split(name, booked, cancelled_ or 0, moved or 0, moves or 0)
                  for name, booked, cancelled_, moved, moves in figures.services(summary)],
        fieldworkers=[Split(name, booked, cancelled_ or 0)
                      for name, booked, cancelled_ in figures.fieldworkers(summary)],
        fees=fees, refunds=refunds,
        orders=order_cancellations(flt), refilled=_refilled(terms))
