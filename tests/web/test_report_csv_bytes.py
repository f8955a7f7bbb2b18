"""The cancellations CSV byte for byte, pinned: text a spreadsheet or a CSV reader trips on
(commas, quotes, line breaks, cells starting like a formula, non-ASCII) in every kind of
cell, times across a DST change, refunds folded from several rows, and an order. The rows
are read from the driver's tuples since the CSV got cheaper; these bytes are what the CSV
gave before (commit 03f1b69), so a faster CSV is the same CSV."""
from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from portal.billing.models import Invoice, InvoiceLine, Refund
from portal.bookings.models import Assignment, Booking, Service
from portal.integrations.models import Integration
from portal.kernel.actors import Actor
from portal.orders.models import Order, Product
from portal.orders.services import cancel_order, place_order
from portal.people import Customer, Staff
from portal.reports import export
from portal.reports.period import ReportFilter
from tests.support.factories import person
from tests.support.report_fixture import build_report_world, utc

AWKWARD = ['=HYPERLINK("x"), sum', "+1 call, \"now\"", "-2\nlines", "@home\r\nback",
           "Zoë Ångström, 東京", "\tTabbed", "plain"]


@pytest.fixture
def rw(app):
    rw = build_report_world()
    service = Service.create(name=AWKWARD[0], duration_minutes=60, price=12345)
    robot = Integration.create(name=AWKWARD[1], secret="s")
    workers = [person(Staff, name=name, email=f"w{n}@example.com", role="fieldworker")
               for n, name in enumerate(AWKWARD[2:5])]
    kinds = [("customer", "portal", None), ("admin", "admin", rw.admin.id),
             ("fieldworker", "fieldworker", workers[0].id), ("integration", "integration",
                                                             robot.id), ("system", None, None)]
    for n, text in enumerate(AWKWARD):
        customer = person(Customer, name=text, email=f"c{n}@example.com")
        # Around the autumn DST change in New York (Nov 1 2026, 2:00 -> 1:00)
        start = utc(11, 1, 0, 30) + timedelta(minutes=37 * n)
        kind, channel, by = kinds[n % len(kinds)]
        b = Booking.create(ref=f"BK-AWK{n}", customer=customer, service=service,
                           starts_at=start, ends_at=start + timedelta(hours=1), price=100,
                           status="cancelled", cancelled_at=start - timedelta(minutes=90 * n + 7),
                           cancel_channel=channel, cancelled_by_kind=kind, cancelled_by_id=by,
                           cancel_reason_label=AWKWARD[-1 - n], cancel_note=text * (n % 3))
        for worker in workers[:n % 4]:
            Assignment.create(booking=b, staff=worker)
        if n % 2:
            invoice = Invoice.create(booking=b, customer=customer)
            InvoiceLine.create(invoice=invoice, kind="cancellation_fee", description=text,
                               amount=-5 if n == 5 else 1999 * n)
            for status, amount in (("processed", 101 * n), ("rejected", 7), ("requested", 3)):
                Refund.create(invoice=invoice, amount=amount, status=status,
                              requested_by_kind="customer")
    mop = Product.create(name=AWKWARD[4], price=2000, stock=100)
    casey = Actor("customer", rw.casey.id, "Casey")
    order = place_order(rw.casey.id, [(mop.id, 2)], casey, now=utc(6, 9, 9))
    cancel_order(order.ref, casey, channel="portal", note=AWKWARD[3], now=utc(6, 10, 9))
    Order.update(ref="OR-AWK001", cancel_reason_label=AWKWARD[0]).where(
        Order.id == order.id).execute()  # a fixed ref (a new order's is random)
    return rw


def _csv(args=None):
    flt = ReportFilter.from_args(MultiDict({"preset": "custom", "from": "2026-06-01",
                                            "to": "2026-11-30", **(args or {})}),
                                 "America/New_York", utc(12, 1, 12).date())
    return "".join(export.csv_text(flt, "EUR")).encode()


def test_the_csv_bytes_are_as_before(rw, monkeypatch):
    assert _csv() == EXPECTED
    monkeypatch.setattr(export, "CHUNK", 2)  # chunk edges in the middle: the same bytes
    assert _csv() == EXPECTED


EXPECTED = (
            b'\xef\xbb\xbfReference,Appointment (America/New_York),Cancelled at (America/New_York)'
            b',Notice (hours),Customer,Customer email,Service,Fieldworkers,Reason,Note,Channel'
            b',Cancelled by,Cancelled by (name),Fee,Refund,Refund status,Kind,Order stage,Orde'
            b'r total,Currency\r\n'
            b'BK-TEST01,2026-06-02 10:00,2026-06-01 14:00,20.0,Casey Customer,casey@example.co'
            b'm,Clean,Fred Worker,Schedule conflict,,portal,customer,Casey Customer,25.00,40.0'
            b'0,requested,Booking,,,EUR\r\n'
            b'BK-TEST03,2026-06-05 09:00,2026-06-03 09:00,48.0,Casey Customer,casey@example.co'
            b'm,Windows,Gina Helper,Other,Dog is sick,admin,admin,Ada Admin,0.00,0.00,,Booking'
            b',,,EUR\r\n'
            b'BK-TEST05,2026-06-09 10:00,2026-05-30 10:00,240.0,Casey Customer,casey@example.c'
            b'om,Clean,Fred Worker; Gina Helper,Price,,email_link,customer,Casey Customer,0.00'
            b',100.00,processed,Booking,,,EUR\r\n'
            b'BK-TEST07,2026-06-12 08:00,2026-06-10 20:00,36.0,Casey Customer,casey@example.co'
            b'm,Windows,Fred Worker,Other,"\'=Gate locked, ""side"" door",fieldworker,fieldwork'
            b'er,Fred Worker,0.00,0.00,,Booking,,,EUR\r\n'
            b'BK-TEST15,2026-06-15 10:00,2026-06-14 10:00,24.0,Casey Customer,casey@example.co'
            b'm,Clean,Fred Worker,Price,,portal,customer,Casey Customer,0.00,0.00,,Booking,,,E'
            b'UR\r\n'
            b'BK-AWK0,2026-11-01 00:30,2026-11-01 00:23,0.1,"\'=HYPERLINK(""x""), sum",c0@examp'
            b'le.com,"\'=HYPERLINK(""x""), sum",,plain,,portal,customer,"\'=HYPERLINK(""x""), su'
            b'm",0.00,0.00,,Booking,,,EUR\r\n'
            b'BK-AWK1,2026-11-01 01:07,2026-10-31 23:30,1.6,"\'+1 call, ""now""",c1@example.com'
            b',"\'=HYPERLINK(""x""), sum","\'-2\nlines",\'\tTabbed,"\'+1 call, ""now""",admin,a'
            b'dmin,Ada Admin,19.99,1.04,processed; rejected; requested,Booking,,,EUR\r\n'
            b'BK-AWK2,2026-11-01 01:44,2026-10-31 22:37,3.1,"\'-2\nlines",c2@example.com,"\'=HYPE'
            b'RLINK(""x""), sum","\'-2\nlines; @home\r\n'
            b'back","Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m, \xe6\x9d\xb1\xe4\xba\xac","\'-2\nlines-2\n'
            b'lines",fieldworker,fieldworker,"\'-2\nlines",0.00,0.00,,Booking,,,EUR\r\n'
            b'BK-AWK3,2026-11-01 01:21,2026-10-31 21:44,4.6,"\'@home\r\n'
            b'back",c3@example.com,"\'=HYPERLINK(""x""), sum","\'-2\nlines; @home\r\n'
            b'back; Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m, \xe6\x9d\xb1\xe4\xba\xac","\'@home\r\n'
            b'back",,integration,integration,"\'+1 call, ""now""",59.97,3.06,processed; rejecte'
            b'd; requested,Booking,,,EUR\r\n'
            b'BK-AWK4,2026-11-01 01:58,2026-10-31 20:51,6.1,"Zo\xc3\xab \xc3\x85ngstr\xc3'
            b'\xb6m, \xe6\x9d\xb1\xe4\xba\xac",c4@example.com,"\'=HYPERLINK(""x""), sum",,"\'-2\nl'
            b'ines","Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m, \xe6\x9d\xb1\xe4\xba\xac",,system,Reboo'
            b'k,0.00,0.00,,Booking,,,EUR\r\n'
            b'BK-AWK5,2026-11-01 02:35,2026-10-31 19:58,7.6,\'\tTabbed,c5@example.com,"\'=HYPERLI'
            b'NK(""x""), sum","\'-2\nlines","\'+1 call, ""now""",\'\tTabbed\tTabbed,portal,cust'
            b"omer,'\tTabbed,-0.05,5.08,processed; rejected; requested,Booking,,,EUR\r\n"
            b'BK-AWK6,2026-11-01 03:12,2026-10-31 19:05,9.1,plain,c6@example.com,"\'=HYPERLINK('
            b'""x""), sum","\'-2\nlines; @home\r\n'
            b'back","\'=HYPERLINK(""x""), sum",,admin,admin,Ada Admin,0.00,0.00,,Booking,,,EUR\r\n'
            b'OR-AWK001,,2026-06-10 09:00,,Casey Customer,casey@example.com,,,"\'=HYPERLINK(""x'
            b'""), sum","\'@home\r\n'
            b'back",portal,customer,Casey Customer,0.00,0.00,,Order,Placed,40.00,EUR\r\n')
