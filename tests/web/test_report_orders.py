"""Order cancellations in Reports › Cancellations: counted by the day cancelled (business
timezone) from the report_order_day summary, by reason, channel and stage with the revenue lost;
in the CSV after the bookings; the page's statements the same for one order or forty."""
import csv
import io

import pytest

from portal.kernel.actors import Actor
from portal.orders.models import Order, Product
from portal.orders.services import cancel_order, place_order
from portal.reports.models import ReportOrderDay, ReportOrderDirty
from portal.reports.summary import count_orders, refresh
from portal.settings import CancellationReason, Settings
from tests.support.forms import login
from tests.support.queries import queries_for
from tests.support.report_fixture import build_report_world, utc

URL = "/admin/reports/cancellations?preset=custom&from=2026-06-01&to=2026-06-14"
CSV_URL = URL.replace("cancellations?", "cancellations.csv?")


def _cancel(rw, product, quantity, when, by, channel, reason=None, stage="placed"):
    """An order placed the day before `when` and cancelled at `when` (UTC)."""
    casey = Actor("customer", rw.casey.id, "Casey")
    order = place_order(rw.casey.id, [(product.id, quantity)], casey, now=when)
    if stage != "placed":
        Order.update(status=stage).where(Order.id == order.id).execute()
    reason_id = CancellationReason.get(CancellationReason.label == reason).id if reason else None
    actor = casey if by == "customer" else Actor("admin", rw.admin.id, "Ada Admin")
    cancel_order(order.ref, actor, channel=channel, reason_id=reason_id, note="x", now=when)
    return Order.get_by_id(order.id)


@pytest.fixture
def admin(client, app):
    rw = build_report_world()
    mop = Product.create(name="Mop", price=2000, stock=100)
    # Jun 14 23:30 New York is Jun 15 03:30 UTC: still in the period. Jun 15 is not.
    client.orders = [
        _cancel(rw, mop, 1, utc(6, 2, 9), "customer", "portal", "Schedule conflict"),
        _cancel(rw, mop, 2, utc(6, 14, 23, 30), "customer", "portal", "Price"),
        _cancel(rw, mop, 3, utc(6, 10, 12), "admin", "admin", "Price", stage="processing"),
        _cancel(rw, mop, 1, utc(6, 15, 9), "customer", "portal", "Price"),  # after
    ]
    login(client, "admin@example.com")
    client.rw = rw
    return client


def test_the_report_counts_order_cancellations_by_reason_channel_and_stage(admin):
    html = admin.get(URL).get_data(as_text=True)
    assert '<strong id="orders-cancelled">3</strong> orders cancelled' in html
    assert '<strong id="orders-lost">$120.00</strong>' in html  # 1 + 2 + 3 mops, no tax
    reasons = html[html.index('id="table-order-reasons"'):]
    assert '<th scope="row">Price</th><td>2</td><td>$100.00</td>' in reasons
    assert '<th scope="row">Schedule conflict</th><td>1</td><td>$20.00</td>' in reasons
    channels = html[html.index('id="table-order-channels"'):]
    assert "<td>2</td><td>$60.00</td>" in channels and "<td>1</td><td>$60.00</td>" in channels
    stages = html[html.index('id="table-order-stages"'):]
    assert '<th scope="row">Placed</th><td>2</td><td>$60.00</td>' in stages
    assert '<th scope="row">Processing</th><td>1</td><td>$60.00</td>' in stages


def test_channel_and_initiator_narrow_orders_and_a_service_leaves_them_out(admin):
    html = admin.get(URL + "&initiator=staff").get_data(as_text=True)
    assert '<strong id="orders-cancelled">1</strong> order cancelled' in html
    html = admin.get(URL + "&channel=portal").get_data(as_text=True)
    assert '<strong id="orders-cancelled">2</strong> orders cancelled' in html
    html = admin.get(URL + f"&service={admin.rw.windows.id}").get_data(as_text=True)
    assert "Orders have no service or fieldworker" in html
    assert 'id="orders-cancelled"' not in html


def test_a_later_cancellation_and_a_timezone_change_are_counted_again(admin):
    admin.get(URL)
    assert not ReportOrderDirty.select().exists()
    _cancel(admin.rw, Product.get(), 5, utc(6, 3, 12), "customer", "portal")
    assert ReportOrderDirty.select().exists()  # the trigger marked the day
    assert '<strong id="orders-cancelled">4</strong>' in admin.get(URL).get_data(as_text=True)
    rows = lambda: sorted(ReportOrderDay.select(  # noqa: E731
        ReportOrderDay.day, ReportOrderDay.orders, ReportOrderDay.total).tuples())
    assert rows() == sorted(r for r in ((r[0], r[-2], r[-1])
                                        for r in count_orders("America/New_York")))
    Settings.update(timezone="UTC").execute()
    refresh("UTC")
    # In UTC the Jun 14 23:30 (New York) cancellation falls on Jun 15.
    assert (ReportOrderDay.select().where(ReportOrderDay.day == "2026-06-15").count()) == 1
    assert ReportOrderDay.select().where(ReportOrderDay.day == "2026-06-14").count() == 0


def test_the_csv_lists_the_cancelled_orders_after_the_bookings(admin):
    text = admin.get(CSV_URL).get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    orders = [r for r in rows if r["Kind"] == "Order"]
    assert [r["Kind"] for r in rows] == ["Booking"] * (len(rows) - 3) + ["Order"] * 3
    assert [r["Reference"] for r in orders] == [o.ref for o in sorted(
        admin.orders[:3], key=lambda o: o.cancelled_at)]
    first = orders[0]
    assert (first["Cancelled at (America/New_York)"], first["Reason"], first["Channel"],
            first["Cancelled by"], first["Order stage"], first["Order total"],
            first["Appointment (America/New_York)"]) == (
        "2026-06-02 09:00", "Schedule conflict", "portal", "customer", "Placed", "20.00", "")
    assert orders[1]["Order stage"] == "Processing" and orders[1]["Cancelled by (name)"] == \
        "Ada Admin"
    narrowed = admin.get(CSV_URL + f"&service={admin.rw.windows.id}").get_data(as_text=True)
    assert ",Order," not in narrowed


def test_the_report_costs_the_same_for_three_cancelled_orders_or_forty(admin):
    before = queries_for(admin, URL)
    mop = Product.get()
    for n in range(37):
        _cancel(admin.rw, mop, 1, utc(6, 1 + n % 14, 11), "customer", "portal", "Price")
    admin.get(URL)  # counts the marked days again
    assert queries_for(admin, URL) == before
