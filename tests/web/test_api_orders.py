"""POST /api/v1/orders: the business's shop places orders through the same place_order as every
channel (stock, invoice, audit, webhook, the customer's email); a retry with its key replays the
order, and every mistake is a problem+json naming the field, with nothing changed."""
import pytest

from portal.audit import AuditEvent
from portal.billing.models import Invoice, InvoiceLine
from portal.integrations import tokens
from portal.integrations.manage import add_integration
from portal.integrations.webhook_models import WebhookDelivery
from portal.kernel.actors import Actor
from portal.messaging.models import OutboxMessage
from portal.orders.models import Order, OrderItem, Product
from tests.support.api_support import (EVERY_SCOPE, assert_problem, integration, post,
                                       token_for)
from tests.support.queries import count_queries

URL = "/api/v1/orders"


@pytest.fixture
def shop(world):
    return integration(name="Web shop")


@pytest.fixture
def token(shop):
    return token_for(shop, [tokens.ORDERS_WRITE])


@pytest.fixture
def goods(world):
    cloths = Product.create(name="Cloths", price=1200, stock=10)
    spray = Product.create(name="Spray", price=850, stock=2)
    gone = Product.create(name="Old mop", price=500, stock=9, active=False)
    return cloths, spray, gone


def state():
    """Everything placing an order could change."""
    return {"orders": Order.select().count(), "items": OrderItem.select().count(),
            "invoices": Invoice.select().count(), "lines": InvoiceLine.select().count(),
            "stock": sorted((p.id, p.stock) for p in Product.select()),
            "audit": AuditEvent.select().count(), "outbox": OutboxMessage.select().count(),
            "webhooks": WebhookDelivery.select().count()}


def test_places_an_order_with_stock_invoice_audit_email_and_webhook(client, world, shop,
                                                                     token, goods):
    cloths, spray, _ = goods
    add_integration(Actor("admin", world.admin.id, "Ada"), name="Listener", kind="calendar",
                    endpoint_url="https://cal.example.com/hook", events=["order.placed"])
    response = post(client, URL, token, {"customer_email": "Customer@Example.com", "items": [
        {"product_id": cloths.id, "quantity": 2}, {"product_id": spray.id, "quantity": 1}]},
        key="order-1")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    order = Order.get(Order.ref == body["ref"])
    assert body["status"] == "placed" and body["customer"]["id"] == world.customer.id
    assert [(i["product"]["name"], i["quantity"], i["amount"]) for i in body["items"]] == [
        ("Cloths", 2, 2400), ("Spray", 1, 850)]
    assert body["subtotal"] == 3250 and body["total"] == order.total and body["version"] == 1
    assert body["currency"] == "USD" and body["cancellation"] is None
    assert (Product.get_by_id(cloths.id).stock, Product.get_by_id(spray.id).stock) == (8, 1)
    assert InvoiceLine.select().where(InvoiceLine.invoice == order.invoice_id).count() == 2
    placed = AuditEvent.get((AuditEvent.subject_type == "order")
                            & (AuditEvent.subject_id == order.id))
    assert (placed.action, placed.actor_kind, placed.actor_label, placed.channel) == (
        "placed", "integration", "Web shop", "integration")
    email = OutboxMessage.get()
    assert email.to_address == world.customer.email and order.ref in email.subject
    assert "2 × Cloths" in email.body_text and f"/orders/{order.ref}" in email.body_text
    assert [d.event_type for d in WebhookDelivery.select()] == ["order.placed"]


def test_a_retry_with_its_key_replays_the_order_and_another_body_is_refused(client, world,
                                                                            token, goods):
    cloths = goods[0]
    body = {"customer_id": world.customer.id, "items": [{"product_id": cloths.id,
                                                         "quantity": 1}]}
    first = post(client, URL, token, body, key="shop-42")
    before = state()
    again = post(client, URL, token, body, key="shop-42")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json() and state() == before
    other = post(client, URL, token, {**body, "items": [{"product_id": cloths.id,
                                                          "quantity": 2}]}, key="shop-42")
    assert assert_problem(other, 422, "idempotency_key_reused")
    assert state() == before


@pytest.mark.parametrize("body,status,where", [
    ({"customer_id": 999, "items": [{"product_id": "CLOTHS", "quantity": 1}]}, 422,
     "#/customer_id"),
    ({"customer_email": "nobody@example.com", "items": [{"product_id": "CLOTHS",
                                                         "quantity": 1}]}, 422,
     "#/customer_email"),
    ({"items": [{"product_id": "CLOTHS", "quantity": 1}]}, 422, "#/customer_id"),
    ({"customer_id": "CUSTOMER", "items": [{"product_id": 4242, "quantity": 1}]}, 422,
     "#/items/0/product_id"),
    ({"customer_id": "CUSTOMER", "items": [{"product_id": "GONE", "quantity": 1}]}, 422,
     "#/items/0/product_id"),
    ({"customer_id": "CUSTOMER", "items": [{"product_id": "CLOTHS", "quantity": 0}]}, 422,
     "#/items/0/quantity"),
    ({"customer_id": "CUSTOMER", "items": [{"product_id": "CLOTHS", "quantity": 1000}]}, 422,
     "#/items/0/quantity"),
    ({"customer_id": "CUSTOMER", "items": [{"product_id": "CLOTHS", "quantity": 1.5}]}, 422,
     "#/items/0/quantity"),
    ({"customer_id": "CUSTOMER", "items": []}, 422, "#/items"),
    ({"customer_id": "CUSTOMER", "items": ["CLOTHS"]}, 422, "#/items/0"),
    ({"customer_id": "CUSTOMER", "items": [{"product_id": "CLOTHS", "quantity": 1}],
      "coupon": "X"}, 422, "#/coupon"),
    ({"customer_id": "CUSTOMER", "items": [{"product_id": "SPRAY", "quantity": 3}]}, 409,
     None),
])
def test_mistakes_are_problems_naming_the_field_and_change_nothing(client, world, token, goods,
                                                                   body, status, where):
    cloths, spray, gone = goods
    names = {"CLOTHS": cloths.id, "SPRAY": spray.id, "GONE": gone.id,
             "CUSTOMER": world.customer.id}
    body = {k: names.get(v, v) if not isinstance(v, list) else
            [{n: names.get(x, x) for n, x in i.items()} if isinstance(i, dict) else i
             for i in v] for k, v in body.items()}
    before = state()
    problem = assert_problem(post(client, URL, token, body, key="k"), status)
    if where:
        assert where in [e.get("pointer") for e in problem["errors"]], problem
        assert all(e["detail"] for e in problem["errors"])
    else:
        assert problem["code"] == "out_of_stock" and "Spray" in problem["detail"]
    assert state() == before


def test_placing_orders_needs_the_orders_scope(client, world, shop, goods):
    reader = token_for(shop, [tokens.READ, tokens.WRITE])
    response = post(client, URL, reader, {"customer_id": world.customer.id,
                                          "items": [{"product_id": goods[0].id, "quantity": 1}]})
    assert_problem(response, 403, "insufficient_scope")
    assert 'scope="orders:write"' in response.headers["WWW-Authenticate"]
    assert Order.select().count() == 0
    assert tokens.ORDERS_WRITE in EVERY_SCOPE


def test_placing_costs_the_same_queries_for_one_line_or_ten(client, world, token):
    products = [Product.create(name=f"Thing {n}", price=100 + n, stock=50) for n in range(10)]

    def place(count):
        body = {"customer_id": world.customer.id,
                "items": [{"product_id": p.id, "quantity": 1} for p in products[:count]]}
        with count_queries() as counted:
            assert post(client, URL, token, body).status_code == 201
        return len(counted)

    one, ten = place(1), place(10)
    # Each line is one conditional stock update (what makes the last one safe to sell); the
    # invoice lines, order items and everything else are the same statements for any count.
    assert ten - one <= 9, (one, ten)
