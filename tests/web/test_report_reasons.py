"""Reasons and channels come from report_reason_month for whole months and report_day for the
edge days; the "Other" notes from the partial index of noted cancellations (migration 0031).
For periods across year ends and month edges, with every filter, they equal counting every
booking plainly, also after changes by plain SQL. The business timezone (Auckland) puts
appointments at 00:15 and 23:45 local on another UTC day and month."""
import random
from datetime import date, datetime, time, timedelta, timezone

import pytest
from werkzeug.datastructures import MultiDict

from portal.bookings.models import CANCELLED, Assignment, Booking
from portal.kernel.db import database, is_postgres
from portal.reports.cancellations import OTHER_NOTES_SHOWN, STAFF_KINDS, cancellation_report
from portal.reports.models import ReportReasonMonth
from portal.reports.period import ReportFilter
from portal.settings import CancellationReason, ensure_default_reasons
from tests.support.auckland import KINDS, TZ, ZONE, auckland_business, local_utc
from tests.support.queries import statements

TODAY = date(2027, 3, 1)
TIED = datetime(2026, 12, 20, 10)  # several "Other" cancellations made at the same moment
PERIODS = [("2025-01-15", "2026-12-10"),  # mid-month to mid-month, two year ends
           ("2024-12-31", "2026-01-01"),  # a day of each year at the edges
           ("2025-03-01", "2025-12-31"),  # whole months only
           ("2025-12-20", "2026-01-28")]  # days only, across a year end


@pytest.fixture
def world(app):
    customer, workers, services = auckland_business(("Fred", "Gina"))
    ensure_default_reasons()
    reasons = list(CancellationReason.select().order_by(CancellationReason.id))
    other = next(r for r in reasons if r.is_other)
    rng = random.Random(31)
    day, n = date(2024, 12, 1), 0
    while day <= date(2027, 1, 20):
        for clock in rng.sample([time(0, 15), time(9), time(23, 45)], 2):
            n += 1
            starts = local_utc(datetime.combine(day, clock))
            service = rng.choice(services)
            cancelled = rng.random() < 0.5
            channel = rng.choice(list(KINDS)) if cancelled else None
            # "Other" often (the notes), no reason sometimes, and a label the reason no longer
            # has (bookings keep the label they were cancelled with)
            reason = rng.choice([*reasons, other, other, None]) if cancelled else None
            label = None if reason is None else (
                "Too pricey" if reason.label == "Price" and n % 2 else reason.label)
            note = rng.choice(["Moving away", "", None, f"Note {n}"]) if cancelled else None
            at = starts - timedelta(hours=rng.choice([2, 30, 200]))
            b = Booking.create(
                ref=f"BK-R{n:05d}", customer=customer, service=service, starts_at=starts,
                ends_at=starts + timedelta(hours=1), price=service.price,
                status=CANCELLED if cancelled else rng.choice(["completed", "scheduled"]),
                cancelled_at=(TIED if reason == other and n % 13 == 0 else at)
                if cancelled else None,
                cancelled_by_kind=KINDS.get(channel), cancel_channel=channel,
                cancel_reason=reason, cancel_reason_label=label, cancel_note=note)
            for worker in rng.sample(workers, rng.choice([0, 1, 1, 2])):
                Assignment.create(booking=b, staff=worker)
        day += timedelta(days=rng.choice([1, 2, 3]))
    return workers, services


def _counted(b, flt):
    day = b.starts_at.replace(tzinfo=timezone.utc).astimezone(ZONE).date()
    workers = {a.staff_id for a in Assignment.select().where(Assignment.booking == b.id)}
    kinds = {"customer": ("customer",), "staff": STAFF_KINDS, "integration": ("integration",)}
    return (flt.start <= day <= flt.end and b.status == CANCELLED
            and (not flt.service or b.service_id == flt.service)
            and (not flt.fieldworker or flt.fieldworker in workers)
            and (not flt.channel or b.cancel_channel == flt.channel)
            and (not flt.initiator or b.cancelled_by_kind in kinds[flt.initiator]))


def plainly(flt):
    """({label shown: (count, is "Other")}, [(channel, count)], notes), one booking at a time."""
    others = {r.id for r in CancellationReason.select().where(CancellationReason.is_other)}
    reasons, channels, notes = {}, {}, []
    for b in Booking.select():
        if not _counted(b, flt):
            continue
        label = b.cancel_reason_label or "No reason given"
        count, other = reasons.get(label, (0, False))
        reasons[label] = (count + 1, other or b.cancel_reason_id in others)
        channels[b.cancel_channel or ""] = channels.get(b.cancel_channel or "", 0) + 1
        if b.cancel_reason_id in others and b.cancel_note:
            notes.append(b)
    notes.sort(key=lambda b: (b.cancelled_at, b.id), reverse=True)
    return (reasons,
            sorted(sorted(channels.items()), key=lambda item: -item[1]),
            [(b.ref, b.starts_at, b.cancelled_at, b.cancel_note)
             for b in notes[:OTHER_NOTES_SHOWN]])


def as_shown(report):
    counts = [s.count for s in report.reasons]
    assert counts == sorted(counts, reverse=True)  # most first
    return ({s.label: (s.count, s.key) for s in report.reasons},
            [(s.key or "", s.count) for s in report.channels], report.other_notes)


def _filters(workers, services):
    return [{}, {"service": str(services[1].id)}, {"fieldworker": str(workers[0].id)},
            {"fieldworker": str(workers[1].id), "service": str(services[0].id)},
            {"channel": "portal"}, {"initiator": "staff"}, {"initiator": "customer"}]


def _flt(first, last, args=None):
    return ReportFilter.from_args(MultiDict({"preset": "custom", "from": first, "to": last,
                                            **(args or {})}), TZ, TODAY)


def assert_exact(world, periods=PERIODS):
    for first, last in periods:
        for args in _filters(*world):
            flt = _flt(first, last, args)
            assert as_shown(cancellation_report(flt, 24)) == plainly(flt), (first, last, args)


@pytest.mark.parametrize("first,last", PERIODS)
def test_reasons_channels_and_notes_equal_counting_every_booking(world, first, last):
    assert_exact(world, [(first, last)])
    assert ReportReasonMonth.select().count()  # the long periods read months
    long = cancellation_report(_flt(*PERIODS[0]), 24)
    assert len(long.other_notes) == OTHER_NOTES_SHOWN  # more than are shown: the newest
    tied = [ref for ref, _, at, _ in long.other_notes if at == TIED]
    assert 1 < len(tied) < OTHER_NOTES_SHOWN  # equal times: the newest booking first


def _kept():
    return sorted(ReportReasonMonth.select(
        ReportReasonMonth.month, ReportReasonMonth.staff_id, ReportReasonMonth.service_id,
        ReportReasonMonth.cancel_channel, ReportReasonMonth.cancelled_by_kind,
        ReportReasonMonth.cancel_reason_id, ReportReasonMonth.cancel_reason_label,
        ReportReasonMonth.bookings).tuples(), key=repr)


def test_changes_by_plain_sql_are_counted_in_their_months(world):
    """Whoever changes the bookings (another process, a console, a restore): the triggers mark
    the days, and the months are counted again from them."""
    workers, _ = world
    assert_exact(world, PERIODS[:1])
    inside = Booking.select().where(Booking.starts_at > datetime(2025, 6, 1)).order_by(
        Booking.starts_at).limit(6)
    relabelled, recancelled, moved, noted, reassigned, gone = (b.id for b in inside)
    other = CancellationReason.get(CancellationReason.is_other).id
    run = database.execute_sql
    p = "%s" if is_postgres() else "?"
    run(f"UPDATE booking SET status = 'cancelled', cancel_reason_label = 'Price', "
        f"cancel_channel = 'admin', cancelled_by_kind = 'admin', cancelled_at = starts_at "
        f"WHERE id = {p}", (relabelled,))
    run(f"UPDATE booking SET status = 'completed' WHERE id = {p}", (recancelled,))
    run(f"UPDATE booking SET starts_at = {p} WHERE id = {p}",
        (local_utc(datetime(2026, 2, 1, 0, 15)), moved))  # into another whole month, at its edge
    run(f"UPDATE booking SET status = 'cancelled', cancel_reason_id = {p}, cancel_note = {p}, "
        f"cancel_channel = 'portal', cancelled_by_kind = 'customer', cancelled_at = {p} "
        f"WHERE id = {p}", (other, "Written by plain SQL", datetime(2027, 1, 1), noted))
    run(f"DELETE FROM assignment WHERE booking_id = {p}", (reassigned,))
    run(f"INSERT INTO assignment (booking_id, staff_id) VALUES ({p}, {p})",
        (reassigned, workers[1].id))
    run(f"DELETE FROM booking WHERE id = {p}", (gone,))
    assert_exact(world, PERIODS[:2])
    newest = cancellation_report(_flt(*PERIODS[0]), 24).other_notes[0]
    assert newest[3] == "Written by plain SQL"
    kept = _kept()
    database.execute_sql("DELETE FROM report_state")  # the next report counts everything
    cancellation_report(_flt(*PERIODS[0]), 24)
    assert _kept() == kept


def _plan(sql, params):
    if is_postgres():
        # What autovacuum gives a real install (statistics, the visibility map an index-only
        # scan needs); with a few hundred rows PostgreSQL still rightly prefers reading the
        # table, so that is forbidden: the plan shows the index answers the query.
        database.execute_sql("VACUUM ANALYZE booking")
        with database.atomic():
            database.execute_sql("SET LOCAL enable_seqscan = off")
            database.execute_sql("SET LOCAL enable_bitmapscan = off")
            return " ".join(row[0] for row in database.execute_sql("EXPLAIN " + sql, params))
    database.execute_sql("ANALYZE")
    return " ".join(row[-1] for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql,
                                                            params).fetchall())


@pytest.mark.parametrize("args", [{}, {"service": "1"}, {"channel": "portal"}])
def test_the_notes_are_picked_in_the_index_of_noted_cancellations(world, args):
    flt = _flt(*PERIODS[0], args)
    with statements() as seen:
        notes = cancellation_report(flt, 24).other_notes
    assert notes == plainly(flt)[2]
    sql, params = next(s for s in seen if '"cancel_note" FROM "booking"' in s[0])
    plan = _plan(sql, params)
    assert "booking_noted_cancellations" in plan, plan
    if is_postgres():
        assert "Index Only Scan using booking_noted_cancellations" in plan, plan
