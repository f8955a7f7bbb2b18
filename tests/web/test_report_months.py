"""Whole months come from report_month, the edge days from report_day (migration 0030): for
periods starting and ending mid-month, on a month's first or last day, across year ends, weekly
and monthly, with every filter and late bounds the month columns hold and one they don't, the
timeline, services and fieldworkers equal counting every booking plainly. The business
timezone (Auckland, 12-13 hours ahead of UTC) puts many appointments on another day and month
than their UTC start."""
import math
import random
from datetime import date, datetime, time, timedelta, timezone

import pytest
from werkzeug.datastructures import MultiDict

from portal.bookings.models import CANCELLED, NO_SHOW, Assignment, Booking, Service
from portal.people import Staff
from portal.reports.cancellations import NOTICE_BUCKETS, STAFF_KINDS, cancellation_report
from portal.reports.models import ReportMonth
from portal.reports.period import ReportFilter, buckets
from tests.support.auckland import KINDS, TZ, ZONE, auckland_business, local_utc

TODAY = date(2027, 3, 1)


@pytest.fixture
def world(app):
    customer, workers, services = auckland_business()
    rng = random.Random(17)
    day, n = date(2024, 11, 20), 0
    while day <= date(2027, 2, 10):
        # Local times at both ends of the day: in UTC, 00:15 and 23:45 are other days (and on
        # a month's first or last day, other months).
        for clock in rng.sample([time(0, 15), time(9), time(14, 30), time(23, 45)], 2):
            n += 1
            starts = local_utc(datetime.combine(day, clock))
            service = rng.choice(services)
            status = rng.choice(["completed", "completed", "scheduled", CANCELLED, CANCELLED,
                                 NO_SHOW])
            channel = rng.choice(list(KINDS)) if status == CANCELLED else None
            notice = rng.choice([-2, 1, 23, 24, 30, 47, 48, 100, 167, 168, 400])
            b = Booking.create(
                ref=f"BK-M{n:05d}", customer=customer, service=service, starts_at=starts,
                ends_at=starts + timedelta(hours=1), price=service.price, status=status,
                reschedule_count=rng.choice([0, 0, 1, 3]),
                cancelled_at=(starts - timedelta(hours=notice, minutes=rng.choice([0, 30])))
                if channel else None,
                cancelled_by_kind=KINDS.get(channel), cancel_channel=channel)
            for worker in rng.sample(workers, rng.choice([0, 1, 1, 2])):
                Assignment.create(booking=b, staff=worker)
        day += timedelta(days=rng.choice([1, 2, 3]))
    return workers, services


def _figures(rows, flt, late_hours):
    """[booked, cancelled, no-shows, late, rescheduled, moves, lost, notice...] of `rows`."""
    out = [0] * (7 + len(NOTICE_BUCKETS))
    for b, _, _ in rows:
        cancelled = b.status == CANCELLED and (not flt.channel or b.cancel_channel == flt.channel)
        if flt.initiator:
            kinds = STAFF_KINDS if flt.initiator == "staff" else (flt.initiator,)
            cancelled = cancelled and b.cancelled_by_kind in kinds
        notice = (math.floor((b.starts_at - b.cancelled_at).total_seconds() / 3600)
                  if b.cancelled_at else None)
        late = cancelled and notice is not None and notice < late_hours
        buckets_in = [cancelled and notice is not None and (low is None or notice >= low)
                      and (high is None or notice < high) for _, low, high in NOTICE_BUCKETS]
        for i, value in enumerate([1, cancelled, b.status == NO_SHOW, late,
                                   b.reschedule_count > 0, b.reschedule_count,
                                   b.price if cancelled else 0, *buckets_in]):
            out[i] += int(value)
    return out


def plainly(flt, late_hours):
    """(timeline [(current, previous) per current bucket], services, fieldworkers), one
    booking at a time."""
    rows = []
    for b in Booking.select():
        day = b.starts_at.replace(tzinfo=timezone.utc).astimezone(ZONE).date()
        workers = {a.staff_id for a in Assignment.select().where(Assignment.booking == b.id)}
        if (flt.service and b.service_id != flt.service) or (
                flt.fieldworker and flt.fieldworker not in workers):
            continue
        rows.append((b, day, workers))

    def within(first, last):
        return [row for row in rows if first <= row[1] <= last]

    current, previous = buckets(flt.start, flt.end), buckets(*flt.previous)
    timeline = [(_figures(within(w.start, w.end), flt, late_hours),
                 _figures(within(previous[i].start, previous[i].end), flt, late_hours)
                 if i < len(previous) else None) for i, w in enumerate(current)]
    period = within(flt.start, flt.end)
    services = []
    for service in Service.select().order_by(Service.name):
        mine = [row for row in period if row[0].service_id == service.id]
        if mine:
            f = _figures(mine, flt, late_hours)
            services.append((service.name, f[0], f[1], f[4], f[5]))
    fieldworkers = []
    for staff in Staff.select().order_by(Staff.name, Staff.id):
        if flt.fieldworker and staff.id != flt.fieldworker:
            continue
        mine = [row for row in period if staff.id in row[2]]
        if mine:
            f = _figures(mine, flt, late_hours)
            fieldworkers.append((staff.name, f[0], f[1]))
    return timeline, services, fieldworkers


def as_shown(report):
    timeline = []
    for week in report.weeks:
        timeline.append(((week.booked, week.cancelled), (week.previous_booked,
                                                         week.previous_cancelled)))
    totals = [report.booked, report.cancelled, report.no_shows, report.late,
              report.rescheduled, report.moves, report.lost, *(s.count for s in report.notice)]
    return (timeline, totals,
            [(s.label, s.booked, s.cancelled, s.rescheduled, s.moves) for s in report.services],
            [(s.label, s.booked, s.cancelled) for s in report.fieldworkers])


def expected(flt, late_hours):
    timeline, services, fieldworkers = plainly(flt, late_hours)
    totals = [sum(column) for column in zip(*(now for now, _ in timeline))]
    return ([((now[0], now[1]), (before[0], before[1]) if before else (0, 0))
             for now, before in timeline], totals, services, fieldworkers)


PERIODS = [("2025-01-15", "2026-12-10"),  # mid-month to mid-month, two year ends
           ("2024-12-31", "2026-01-01"),  # a day of each year at the edges
           ("2025-03-01", "2025-12-31"),  # whole months only
           ("2025-11-30", "2026-06-01"),  # a month's last and first days, just over 26 weeks
           ("2025-12-20", "2026-01-28")]  # weekly, across a year end


@pytest.mark.parametrize("late_hours", [24, 48, 36, 200])
@pytest.mark.parametrize("first,last", PERIODS)
def test_months_and_edge_days_equal_counting_every_booking(world, first, last, late_hours):
    workers, services = world
    for args in [{}, {"service": str(services[1].id)}, {"fieldworker": str(workers[0].id)},
                 {"fieldworker": str(workers[2].id), "service": str(services[0].id)},
                 {"channel": "portal"}, {"initiator": "staff"}]:
        flt = ReportFilter.from_args(MultiDict({"preset": "custom", "from": first, "to": last,
                                                **args}), TZ, TODAY)
        assert as_shown(cancellation_report(flt, late_hours)) == expected(flt, late_hours), args
    assert ReportMonth.select().count()  # the long periods read months


def test_a_change_recounts_its_month(world):
    workers, _ = world
    flt = ReportFilter.from_args(MultiDict({"preset": "custom", "from": "2025-01-15",
                                            "to": "2026-12-10"}), TZ, TODAY)
    assert as_shown(cancellation_report(flt, 24)) == expected(flt, 24)
    # A booking moved from one whole month into another, one cancelled, one reassigned.
    moved, cancelled, reassigned = Booking.select().where(
        Booking.starts_at > datetime(2025, 6, 1)).order_by(Booking.starts_at).limit(3)
    Booking.update(starts_at=local_utc(datetime(2026, 2, 1, 0, 15))).where(
        Booking.id == moved.id).execute()
    Booking.update(status=CANCELLED, cancel_channel="portal", cancelled_by_kind="customer",
                   cancelled_at=cancelled.starts_at - timedelta(hours=3)).where(
        Booking.id == cancelled.id).execute()
    Assignment.delete().where(Assignment.booking == reassigned.id).execute()
    Assignment.create(booking=reassigned, staff=workers[1])
    assert as_shown(cancellation_report(flt, 24)) == expected(flt, 24)
