"""The report's fees and refunds come from report_money, kept by triggers on invoice lines,
refunds and invoices (migration 0029): after every kind of change, through the refund services
and by plain SQL, they equal adding up every fee line and refund from the bookings, for every
filter. Also the same result as the hand-worked figures (test_reports.test_money)."""
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from portal.billing.models import NO_SHOW_FEE, Invoice, InvoiceLine, Payment, Refund
from portal.billing.refunds import approve_refund, mark_processed, reject_refund, request_refund
from portal.bookings.models import Assignment, Booking
from portal.kernel.actors import Actor
from portal.kernel.db import database
from portal.reports.cancellations import cancellation_report
from portal.reports.models import ReportDirty, ReportMoney
from portal.reports.period import ReportFilter
from portal.reports.summary import MONEY_FIELDS, count_money, refresh
from tests.support.report_fixture import PERIOD, build_report_world
from tests.support.report_money import plainly

TODAY = date(2026, 6, 17)
TZ = "America/New_York"


@pytest.fixture
def rw(app):
    return build_report_world()


def _filters(rw):
    return [{}, {"service": str(rw.clean.id)}, {"service": str(rw.windows.id)},
            {"fieldworker": str(rw.gina.id)}, {"fieldworker": str(rw.fred.id)},
            {"channel": "portal"}, {"channel": "email_link"}, {"initiator": "customer"},
            {"initiator": "staff"}, {"preset": "custom", "from": "2026-05-01",
                                     "to": "2026-06-30"}]


def _flt(args):
    return ReportFilter.from_args(MultiDict({**PERIOD, **args}), TZ, TODAY)


def assert_exact(rw):
    for args in _filters(rw):
        flt = _flt(args)
        report = cancellation_report(flt, late_hours=24)
        assert (report.fees, report.refunds) == plainly(flt), args
    # and the kept rows are what counting from scratch gives
    assert ReportDirty.select().count() == 0
    kept = sorted(ReportMoney.select(*MONEY_FIELDS).tuples(), key=repr)
    assert kept == sorted(count_money(TZ), key=repr)


def test_the_hand_worked_money_and_the_plain_sum_agree(rw):
    report = cancellation_report(_flt({}), late_hours=24)
    assert report.fees == {"cancellation_fee": 2500, "no_show_fee": 3000}
    assert report.refunds == {"requested": (1, 4000), "processed": (1, 10000)}
    assert_exact(rw)


def test_refunds_decided_after_the_cancel_move_between_states(rw):
    admin = Actor("admin", rw.admin.id, rw.admin.name)
    assert_exact(rw)
    first = Invoice.get(Invoice.booking == rw.bookings[1].id)
    Payment.create(invoice=first, amount=20000, method="card", recorded_by_kind="admin")
    requested = Refund.get(Refund.invoice == first.id)
    approve_refund(requested.id, admin)
    assert cancellation_report(_flt({}), 24).refunds == {"approved": (1, 4000),
                                                         "processed": (1, 10000)}
    assert_exact(rw)
    mark_processed(requested.id, admin, "re_123")
    assert_exact(rw)
    later = request_refund(first.id, 3000, "More", admin, channel="admin")
    assert_exact(rw)
    reject_refund(later.id, admin, "Already refunded")
    assert cancellation_report(_flt({}), 24).refunds == {"processed": (2, 14000),
                                                         "rejected": (1, 3000)}
    assert_exact(rw)


def test_fees_and_refunds_changed_by_plain_sql(rw):
    """Whoever changes them (another process, a console, a restore): the triggers see it."""
    third = Invoice.create(booking=rw.bookings[3], customer=rw.casey)  # a cancellation, no fee
    assert_exact(rw)
    database.execute_sql("INSERT INTO invoice_line (invoice_id, kind, description, amount, "
                         "tax_rate_bp, tax, created_at) VALUES (%s, 'cancellation_fee', "
                         "'Late fee, charged later', 1500, 0, 0, '2026-06-04 12:00:00')"
                         .replace("%s", str(third.id)))
    assert cancellation_report(_flt({}), 24).fees["cancellation_fee"] == 4000
    assert_exact(rw)
    InvoiceLine.update(amount=InvoiceLine.amount + 1).where(
        InvoiceLine.kind == NO_SHOW_FEE).execute()
    assert_exact(rw)
    InvoiceLine.update(kind=NO_SHOW_FEE).where(InvoiceLine.invoice == third.id).execute()
    assert "cancellation_fee" in cancellation_report(_flt({}), 24).fees  # booking 1's
    assert_exact(rw)
    Refund.update(amount=Refund.amount * 2, status="approved").where(
        Refund.status == "requested").execute()
    assert_exact(rw)
    Refund.update(invoice=third.id).where(Refund.status == "processed").execute()  # moved
    assert_exact(rw)
    fifth = Invoice.get(Invoice.booking == rw.bookings[5].id)
    Invoice.update(booking=rw.bookings[7].id).where(Invoice.id == fifth.id).execute()
    assert_exact(rw)
    Refund.delete().where(Refund.status == "approved").execute()
    InvoiceLine.delete().where(InvoiceLine.kind == NO_SHOW_FEE).execute()
    assert_exact(rw)
    Invoice.delete().where(Invoice.id == third.id).execute()  # its lines and refunds go too
    assert_exact(rw)
    assert cancellation_report(_flt({}), 24).refunds == {}


def test_a_booking_change_moves_its_money_with_it(rw):
    """A booking's fee and refunds follow it to its new day, status and fieldworkers."""
    first = rw.bookings[1]
    assert_exact(rw)
    Booking.update(starts_at=rw.bookings[15].starts_at).where(Booking.id == first.id).execute()
    assert "cancellation_fee" not in cancellation_report(_flt({}), 24).fees  # now Jun 15
    assert_exact(rw)
    Booking.update(starts_at=rw.bookings[2].starts_at, cancel_channel="admin",
                   cancelled_by_kind="admin").where(Booking.id == first.id).execute()
    Assignment.update(staff=rw.gina.id).where(Assignment.booking == first.id).execute()
    assert_exact(rw)
    Booking.update(status="completed").where(Booking.id == first.id).execute()
    assert_exact(rw)
    Booking.delete().where(Booking.id == rw.bookings[5].id).execute()
    refresh(TZ)
    # booking 5's processed refund went with it (its invoice by cascade)
    assert not ReportMoney.select().where(ReportMoney.refund_status == "processed").exists()
