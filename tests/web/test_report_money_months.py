"""Fees and refunds read whole months from report_money_month and only the edge days from
report_money (migration 0032): for periods starting and ending mid-month, on a month's first
or last day and across year ends, with every filter, they equal adding up every fee line and
refund plainly, also after changes by plain SQL; and the kept months are report_money's days
added up. In Auckland (12-13 hours ahead of UTC) many appointments fall in another month than
their UTC start."""
import random
from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from portal.billing.models import Invoice, InvoiceLine, Refund
from portal.bookings.models import CANCELLED, NO_SHOW, Assignment, Booking
from portal.kernel.db import database
from portal.reports.cancellations import cancellation_report
from portal.reports.models import ReportMoney, ReportMoneyMonth
from portal.reports.period import ReportFilter
from tests.support.auckland import KINDS, TZ, auckland_business, local_utc
from tests.support.report_money import plainly

TODAY = date(2027, 3, 1)
PERIODS = [("2025-01-15", "2026-12-10"),  # mid-month to mid-month, two year ends
           ("2024-12-31", "2026-01-01"),  # a day of each year at the edges
           ("2025-03-01", "2025-12-31"),  # whole months only
           ("2025-11-30", "2026-06-01")]  # a month's last and first days


@pytest.fixture
def world(app):
    customer, workers, services = auckland_business()
    rng = random.Random(32)
    day, n = date(2024, 11, 20), 0
    while day <= date(2027, 2, 10):
        n += 1
        # 00:15 and 23:45 local are other UTC days (on a month's edge, other months)
        starts = local_utc(datetime.combine(day, rng.choice([time(0, 15), time(23, 45),
                                                             time(10)])))
        service = rng.choice(services)
        status = rng.choice([CANCELLED, CANCELLED, NO_SHOW, "completed"])
        channel = rng.choice(list(KINDS)) if status == CANCELLED else None
        b = Booking.create(ref=f"BK-F{n:05d}", customer=customer, service=service,
                           starts_at=starts, ends_at=starts + timedelta(hours=1),
                           price=service.price, status=status, cancel_channel=channel,
                           cancelled_by_kind=KINDS.get(channel),
                           cancelled_at=starts - timedelta(hours=5) if channel else None)
        for worker in rng.sample(workers, rng.choice([0, 1, 2])):
            Assignment.create(booking=b, staff=worker)
        invoice = Invoice.create(booking=b, customer=customer)
        kind = rng.choice(["cancellation_fee", "no_show_fee", "other"])
        InvoiceLine.create(invoice=invoice, kind=kind, description="Fee", amount=100 + n)
        for status in rng.sample(["requested", "approved", "processed", "rejected"],
                                 rng.choice([0, 1, 2])):
            Refund.create(invoice=invoice, amount=10 + n, status=status,
                          requested_by_kind="customer")
        day += timedelta(days=rng.choice([2, 3, 4]))
    return workers, services


def assert_exact(world, periods=PERIODS):
    workers, services = world
    for first, last in periods:
        for args in [{}, {"service": str(services[1].id)}, {"fieldworker": str(workers[0].id)},
                     {"fieldworker": str(workers[2].id), "service": str(services[0].id)},
                     {"channel": "portal"}, {"initiator": "staff"}]:
            flt = ReportFilter.from_args(MultiDict({"preset": "custom", "from": first,
                                                    "to": last, **args}), TZ, TODAY)
            report = cancellation_report(flt, 24)
            assert (report.fees, report.refunds) == plainly(flt), (first, last, args)
    # the kept months are report_money's days added up per month
    months = Counter()
    for row in ReportMoney.select().tuples():
        *key, items, amount = row[1:]  # without the id
        day = key.pop(0)
        day = day if isinstance(day, date) else date.fromisoformat(day)
        months[(day.replace(day=1), *key, "items")] += items
        months[(day.replace(day=1), *key, "amount")] += amount
    kept = Counter()
    for row in ReportMoneyMonth.select().tuples():
        *key, items, amount = row[1:]
        month = key.pop(0)
        month = month if isinstance(month, date) else date.fromisoformat(month)
        kept[(month, *key, "items")] += items
        kept[(month, *key, "amount")] += amount
    assert kept == months
    assert ReportMoneyMonth.select().count()


@pytest.mark.parametrize("first,last", PERIODS)
def test_months_and_edge_days_equal_adding_up_every_fee_and_refund(world, first, last):
    assert_exact(world, [(first, last)])


def test_changes_by_plain_sql_are_counted_in_their_months(world):
    assert_exact(world, PERIODS[:1])
    line, other_line = InvoiceLine.select().where(
        InvoiceLine.kind == "cancellation_fee").order_by(InvoiceLine.id).limit(2)
    refund = Refund.select().order_by(Refund.id.desc()).get()
    moved = Booking.select().where(Booking.starts_at > datetime(2025, 6, 1)).order_by(
        Booking.starts_at).first()
    run = database.execute_sql
    run(f"UPDATE invoice_line SET amount = amount + 7 WHERE id = {line.id}")
    run(f"UPDATE invoice_line SET kind = 'no_show_fee' WHERE id = {other_line.id}")
    run(f"UPDATE refund SET status = 'processed', amount = 1 WHERE id = {refund.id}")
    at = local_utc(datetime(2026, 2, 1, 0, 15)).isoformat(" ")
    run(f"UPDATE booking SET starts_at = '{at}' WHERE id = {moved.id}")  # to another month
    assert_exact(world, PERIODS[:2])
    database.execute_sql("DELETE FROM report_state")  # the next report counts everything
    assert_exact(world, PERIODS[:1])
