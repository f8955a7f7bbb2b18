"""The cancellations CSV streams in chunks of one query each, whatever the chunk holds."""
import csv
import io
from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from portal.billing.models import Invoice, Refund
from portal.bookings.models import Assignment, Booking
from portal.reports import export
from portal.reports.period import ReportFilter
from tests.support.queries import count_queries
from tests.support.report_fixture import PERIOD, build_report_world, utc

EXTRA = 12


@pytest.fixture
def rw(app):
    rw = build_report_world()
    for n in range(EXTRA):  # cancellations with two workers and three refunds, one rejected
        start = utc(6, 2 + n % 12, 11) + timedelta(minutes=n)
        b = Booking.create(ref=f"BK-X{n:02d}", customer=rw.casey, service=rw.clean,
                           starts_at=start, ends_at=start + timedelta(hours=1), price=100,
                           status="cancelled", cancelled_at=start - timedelta(hours=30),
                           cancel_channel="admin", cancelled_by_kind="admin",
                           cancelled_by_id=rw.admin.id)
        Assignment.create(booking=b, staff=rw.gina)
        Assignment.create(booking=b, staff=rw.fred)
        invoice = Invoice.create(booking=b, customer=rw.casey)
        for status, amount in (("processed", 500), ("rejected", 700), ("requested", 250)):
            Refund.create(invoice=invoice, amount=amount, status=status,
                          requested_by_kind="customer")
    return rw


def csv_rows(chunk, monkeypatch):
    monkeypatch.setattr(export, "CHUNK", chunk)
    flt = ReportFilter.from_args(MultiDict(PERIOD), "America/New_York", utc(6, 17, 12).date())
    with count_queries() as seen:
        text = "".join(export.csv_text(flt, "USD"))
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")))), len(seen)


def test_one_query_per_chunk(rw, monkeypatch):
    whole, one_chunk = csv_rows(500, monkeypatch)
    cancellations = len(whole) - 1
    assert cancellations == 4 + EXTRA
    by_three, queries = csv_rows(3, monkeypatch)
    assert by_three == whole  # the same rows, in the same order
    assert queries - one_chunk == -(-cancellations // 3) - 1  # one more query per chunk
    assert one_chunk <= 2, one_chunk


def test_folded_cells_read_as_before(rw, monkeypatch):
    rows, _ = csv_rows(5, monkeypatch)
    header, by_ref = rows[0], {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
    extra = by_ref["BK-X00"]
    assert extra["Fieldworkers"] == "Fred Worker; Gina Helper"
    assert (extra["Refund"], extra["Refund status"]) == ("7.50", "processed; rejected; requested")
    assert (extra["Fee"], extra["Cancelled by (name)"]) == ("0.00", "Ada Admin")
    first = by_ref["BK-TEST01"]
    assert (first["Fee"], first["Refund"], first["Refund status"]) == ("25.00", "40.00",
                                                                       "requested")
    assert by_ref["BK-TEST05"]["Fieldworkers"] == "Fred Worker; Gina Helper"
    assert by_ref["BK-TEST03"]["Fieldworkers"] == "Gina Helper"
    assert header[-1] == "Currency" and extra["Currency"] == "USD"
