"""Orders: placing holds stock; cancelling (customers while placed, admins while processing)
releases it, writes the history, emails the customer, tells the admins and asks for refunds."""
from datetime import timedelta
from types import SimpleNamespace

import pytest

from portal.audit import AuditEvent
from portal.billing.models import InvoiceLine, Payment, Refund
from portal.bookings.policy import can_cancel_order
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.kernel.errors import Conflict, InvalidInput
from portal.messaging.models import Notification, OutboxMessage
from portal.orders.models import Order, OrderItem, Product
from portal.orders.services import place_order
from portal.settings import CancellationReason
from tests.support.forms import csrf_from, login
from tests.support.queries import queries_for

HX = {"HX-Request": "true"}


def _set_status(order, status):
    Order.update(status=status).where(Order.id == order.id).execute()
    return Order.get_by_id(order.id)


@pytest.fixture
def shop(world):
    casey = Actor("customer", world.customer.id, world.customer.name)
    cloths = Product.create(name="Cloths", price=1200, stock=10)
    spray = Product.create(name="Spray", price=850, stock=5)
    placed = place_order(world.customer.id, [(cloths.id, 2), (spray.id, 1)], casey)
    processing = _set_status(place_order(world.customer.id, [(cloths.id, 1)], casey),
                             "processing")
    shipped = _set_status(place_order(world.customer.id, [(spray.id, 1)], casey), "shipped")
    olive = Actor("customer", world.other.id, world.other.name)
    others = place_order(world.other.id, [(cloths.id, 1)], olive)
    OutboxMessage.delete().execute()  # the confirmations: these tests count what follows
    return SimpleNamespace(cloths=cloths, spray=spray, placed=placed, processing=processing,
                           shipped=shipped, others=others)


def stock(product):
    return Product.get_by_id(product.id).stock


def cancel_form(client, ref, **data):
    page = client.get(f"/orders/{ref}/cancel")
    return {"csrf_token": csrf_from(page.get_data(as_text=True)), "version": "1", **data}


# Placing

def test_placing_reserves_stock_and_invoices_the_items(world, shop):
    assert stock(shop.cloths) == 10 - 2 - 1 - 1 and stock(shop.spray) == 5 - 1 - 1
    items = list(OrderItem.select().where(OrderItem.order == shop.placed.id))
    assert {(i.product_id, i.quantity, i.unit_price, i.reserved) for i in items} == {
        (shop.cloths.id, 2, 1200, True), (shop.spray.id, 1, 850, True)}
    lines = list(InvoiceLine.select().where(InvoiceLine.invoice == shop.placed.invoice_id))
    assert {line.kind for line in lines} == {"product"}
    assert shop.placed.total == sum(line.amount + line.tax for line in lines) == 3250
    assert shop.placed.invoice.booking_id is None
    assert shop.placed.invoice.customer_id == world.customer.id
    assert shop.placed.ref.startswith("OR-") and len(shop.placed.ref) == 9
    assert [e.action for e in AuditEvent.for_subject("order", shop.placed.id)] == ["placed"]


def test_out_of_stock_is_refused_and_nothing_is_taken(world, shop):
    casey = Actor("customer", world.customer.id)
    orders = Order.select().count()
    with pytest.raises(Conflict, match="out of stock"):
        place_order(world.customer.id, [(shop.cloths.id, 1), (shop.spray.id, 4)], casey)
    assert stock(shop.cloths) == 6 and stock(shop.spray) == 3
    assert Order.select().count() == orders
    with pytest.raises(InvalidInput):
        place_order(world.customer.id, [(shop.cloths.id, 0)], casey)


# Customers

def test_customer_sees_orders_items_totals_and_timeline(customer_client, shop):
    listing = customer_client.get("/orders").get_data(as_text=True)
    assert shop.placed.ref in listing and shop.shipped.ref in listing
    assert shop.others.ref not in listing
    page = customer_client.get(f"/orders/{shop.placed.ref}").get_data(as_text=True)
    assert "Cloths" in page and "$32.50" in page and "Placed" in page and "by you" in page
    assert f'/orders/{shop.placed.ref}/cancel' in page


def test_customer_cancels_a_placed_order(customer_client, world, shop):
    reason = CancellationReason.select().where(~CancellationReason.is_other).first()
    data = cancel_form(customer_client, shop.placed.ref, reason=str(reason.id), note="Too many")
    response = customer_client.post(f"/orders/{shop.placed.ref}/cancel", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/orders/{shop.placed.ref}")
    order = Order.get_by_id(shop.placed.id)
    assert (order.status, order.cancel_channel, order.cancelled_by_kind, order.version) == (
        "cancelled", "portal", "customer", 2)
    assert (order.cancel_reason_id, order.cancel_reason_label, order.cancel_note) == (
        reason.id, reason.label, "Too many")
    event = AuditEvent.for_subject("order", order.id).where(AuditEvent.action == "cancelled").get()
    assert event.after_data["status"] == "cancelled" and event.note == "Too many"
    mail = OutboxMessage.get(OutboxMessage.to_address == world.customer.email)
    assert order.ref in mail.subject and "Cloths" in mail.body_text
    notice = Notification.get(Notification.staff == world.admin.id)
    assert notice.booking_id is None and order.ref in notice.message
    assert Notification.select().where(Notification.staff != world.admin.id).count() == 0
    assert stock(shop.cloths) == 8 and stock(shop.spray) == 4
    assert not OrderItem.select().where((OrderItem.order == order.id) & OrderItem.reserved).exists()
    page = customer_client.get(f"/orders/{order.ref}").get_data(as_text=True)
    assert "Your order is cancelled" in page and "Too many" in page


def test_customer_cancels_with_htmx(customer_client, shop):
    data = cancel_form(customer_client, shop.placed.ref)
    modal = customer_client.get(f"/orders/{shop.placed.ref}/cancel", headers=HX)
    assert "<dialog" in modal.get_data(as_text=True) and "This action cannot be undone" in \
        modal.get_data(as_text=True)
    response = customer_client.post(f"/orders/{shop.placed.ref}/cancel", data=data, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="order-{shop.placed.ref}"' in body and "<html" not in body
    assert 'id="modal-root" hx-swap-oob="true"' in body
    assert "orderCancelled" in response.headers["HX-Trigger-After-Settle"]
    assert "HX-Request" in response.headers["Vary"]
    assert Order.get_by_id(shop.placed.id).status == "cancelled"


def test_paid_order_asks_for_a_refund(customer_client, shop):
    Payment.create(invoice=shop.placed.invoice_id, amount=2000, method="card",
                   recorded_by_kind="admin")
    customer_client.post(f"/orders/{shop.placed.ref}/cancel",
                         data=cancel_form(customer_client, shop.placed.ref))
    refund = Refund.get(Refund.invoice == shop.placed.invoice_id)
    assert (refund.amount, refund.status, refund.requested_by_kind) == (2000, "requested",
                                                                         "customer")
    assert "refund of $20.00" in OutboxMessage.get().body_text


def test_unpaid_order_asks_for_no_refund(customer_client, shop):
    customer_client.post(f"/orders/{shop.placed.ref}/cancel",
                         data=cancel_form(customer_client, shop.placed.ref))
    assert Refund.select().count() == 0


@pytest.mark.parametrize("which,text", [
    ("processing", "already being processed, so it can&#39;t be cancelled online"),
    ("shipped", "already shipped")])
def test_customer_is_refused_once_the_order_moved_on(customer_client, shop, which, text):
    order = getattr(shop, which)
    page = customer_client.get(f"/orders/{order.ref}").get_data(as_text=True)
    assert text in page and "disabled" in page
    confirm = customer_client.get(f"/orders/{order.ref}/cancel")
    assert confirm.status_code == 409 and text in confirm.get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "version": "1"}
    response = customer_client.post(f"/orders/{order.ref}/cancel", data=data)
    assert response.status_code == 409 and text in response.get_data(as_text=True)
    assert Order.get_by_id(order.id).status == which
    assert OutboxMessage.select().count() == 0


def test_another_customers_order_is_not_found(customer_client, shop):
    ref = shop.others.ref
    assert customer_client.get(f"/orders/{ref}").status_code == 404
    assert customer_client.get(f"/orders/{ref}/cancel").status_code == 404
    data = cancel_form(customer_client, shop.placed.ref)
    assert customer_client.post(f"/orders/{ref}/cancel", data=data).status_code == 404
    assert Order.get_by_id(shop.others.id).status == "placed"


def test_stale_version_is_a_conflict(customer_client, shop):
    data = cancel_form(customer_client, shop.placed.ref, version="7")
    response = customer_client.post(f"/orders/{shop.placed.ref}/cancel", data=data)
    assert response.status_code == 409 and "changed since the page loaded" in \
        response.get_data(as_text=True)
    assert Order.get_by_id(shop.placed.id).status == "placed"


def test_missing_csrf_is_refused(customer_client, shop):
    response = customer_client.post(f"/orders/{shop.placed.ref}/cancel", data={"version": "1"})
    assert response.status_code == 400
    assert Order.get_by_id(shop.placed.id).status == "placed"


def test_over_long_note_is_invalid(customer_client, shop):
    data = cancel_form(customer_client, shop.placed.ref, note="x" * 256)
    response = customer_client.post(f"/orders/{shop.placed.ref}/cancel", data=data)
    assert response.status_code == 422 and "255 characters" in response.get_data(as_text=True)
    assert Order.get_by_id(shop.placed.id).status == "placed"


def test_double_submit_cancels_once(customer_client, shop):
    data = cancel_form(customer_client, shop.placed.ref)
    first = customer_client.post(f"/orders/{shop.placed.ref}/cancel", data=data)
    second = customer_client.post(f"/orders/{shop.placed.ref}/cancel", data=data)
    assert (first.status_code, second.status_code) == (302, 409)
    assert "already cancelled" in second.get_data(as_text=True)
    assert AuditEvent.select().where(AuditEvent.action == "cancelled").count() == 1
    assert OutboxMessage.select().count() == 1 and Notification.select().count() == 1
    assert stock(shop.cloths) == 8  # given back once


def test_flag_off_stops_customers():
    order = SimpleNamespace(customer_id=1, status="placed")
    settings = SimpleNamespace(customers_may_cancel=False, contact_line="(555) 010")
    verdict = can_cancel_order(order, Actor("customer", 1), settings, utcnow())
    assert verdict.code == "flag_off" and "(555) 010" in verdict.message


@pytest.mark.parametrize("status,kind,actor_id,code", [
    ("placed", "customer", 1, "ok"), ("placed", "customer", 2, "not_yours"),
    ("processing", "customer", 1, "processing"), ("shipped", "customer", 1, "shipped"),
    ("completed", "customer", 1, "completed"), ("cancelled", "customer", 1, "already_cancelled"),
    ("placed", "admin", 9, "ok"), ("processing", "admin", 9, "ok"),
    ("shipped", "admin", 9, "shipped"), ("placed", "fieldworker", 9, "no_permission")])
def test_order_cancel_policy(status, kind, actor_id, code):
    order = SimpleNamespace(customer_id=1, status=status)
    settings = SimpleNamespace(customers_may_cancel=True, contact_line="")
    assert can_cancel_order(order, Actor(kind, actor_id), settings, utcnow()).code == code


# Admins

def test_admin_lists_and_filters_orders(client, world, shop):
    login(client, world.admin.email)
    everything = client.get("/admin/orders").get_data(as_text=True)
    assert all(o.ref in everything for o in (shop.placed, shop.processing, shop.shipped,
                                              shop.others))
    shipped = client.get("/admin/orders?view=shipped").get_data(as_text=True)
    assert shop.shipped.ref in shipped and shop.placed.ref not in shipped
    olive = client.get("/admin/orders?q=olive", headers=HX)
    body = olive.get_data(as_text=True)
    assert 'id="orders-table"' in body and "<html" not in body
    assert shop.others.ref in body and shop.placed.ref not in body
    assert olive.headers["HX-Push-Url"] == "/admin/orders?q=olive"
    by_ref = client.get(f"/admin/orders?q={shop.placed.ref.lower()}").get_data(as_text=True)
    assert shop.placed.ref in by_ref and shop.shipped.ref not in by_ref
    odd = client.get("/admin/orders?view=bogus&page=x").get_data(as_text=True)
    assert "is not a list of orders" in odd and "is not a page number" in odd


def test_admin_list_pages(client, world, shop):
    login(client, world.admin.email)
    Order.insert_many([{"ref": f"OR-P{n:05d}", "customer": world.customer.id, "total": 100,
                        "created_at": utcnow() - timedelta(days=n)} for n in range(30)]).execute()
    second = client.get("/admin/orders?page=2").get_data(as_text=True)
    assert "Showing 26–34 of 34" in second
    assert "There is no page 9" in client.get("/admin/orders?page=9").get_data(as_text=True)


def test_admin_cancels_a_processing_order(client, world, shop):
    login(client, world.admin.email)
    page = client.get(f"/admin/orders/{shop.processing.ref}").get_data(as_text=True)
    assert "History" in page and world.customer.email in page and "Cancel order" in page
    response = client.post(f"/admin/orders/{shop.processing.ref}/cancel",
                           data={"csrf_token": csrf_from(page), "version": "1",
                                 "note": "Customer phoned"})
    assert response.status_code == 302
    order = Order.get_by_id(shop.processing.id)
    assert (order.status, order.cancel_channel, order.cancelled_by_kind) == (
        "cancelled", "admin", "admin")
    assert stock(shop.cloths) == 7
    history = client.get(f"/admin/orders/{order.ref}").get_data(as_text=True)
    assert "by Ada Admin (admin)" in history and "processing → cancelled" in history
    assert client.get("/admin/orders/OR-NOPE99").status_code == 404


def test_fieldworkers_and_customers_cannot_open_admin_orders(client, world, shop):
    login(client, world.fw.email)
    assert client.get("/admin/orders").status_code == 403
    assert client.get(f"/admin/orders/{shop.placed.ref}/cancel").status_code == 403


# Query counts

def test_order_pages_use_constant_queries(client, world, shop):
    login(client, world.customer.email)
    customer_urls = ["/orders", f"/orders/{shop.placed.ref}", f"/orders/{shop.placed.ref}/cancel"]
    admin_urls = ["/admin/orders", "/admin/orders?view=placed&q=casey&page=2",
                  f"/admin/orders/{shop.placed.ref}"]

    def measure():
        counts = {url: queries_for(client, url) for url in customer_urls}
        client.post("/logout", data={"csrf_token": csrf_from(
            client.get("/orders").get_data(as_text=True))})
        login(client, world.admin.email)
        counts.update({url: queries_for(client, url) for url in admin_urls})
        client.post("/logout", data={"csrf_token": csrf_from(
            client.get("/admin/orders").get_data(as_text=True))})
        login(client, world.customer.email)
        return counts

    casey = Actor("customer", world.customer.id)
    place_order(world.customer.id, [(shop.spray.id, 1)], casey)  # 5 orders in all
    before = measure()
    Product.update(stock=10_000).execute()
    for n in range(195):
        place_order(world.customer.id, [(shop.cloths.id, 1), (shop.spray.id, 1)], casey)
    for n in range(30):  # more items and history on the measured order do not add queries
        AuditEvent.create(subject_type="order", subject_id=shop.placed.id, action="note",
                          actor_kind="admin", channel="admin")
    after = measure()
    assert before == after
    assert max(after.values()) <= 8, after


def test_admin_filters_orders_by_the_day_placed(client, world, shop):
    from datetime import timedelta as td
    from portal.orders.models import Order
    from portal.kernel.clock import utcnow as now
    Order.update(created_at=now() - td(days=10)).where(Order.id == shop.shipped.id).execute()
    login(client, world.admin.email)
    today = (now() - td(hours=5)).date()  # a business-timezone date safely inside "today"
    recent = client.get(f"/admin/orders?from={today - td(days=2)}").get_data(as_text=True)
    assert shop.placed.ref in recent and shop.shipped.ref not in recent
    old = client.get(f"/admin/orders?to={today - td(days=5)}").get_data(as_text=True)
    assert shop.shipped.ref in old and shop.placed.ref not in old
    bad = client.get("/admin/orders?from=2026-02-31").get_data(as_text=True)
    assert "is not a date" in bad and shop.placed.ref in bad
