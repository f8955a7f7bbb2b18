"""Admin › Orders › New order, for phone orders: pick the customer, fill in quantities, place
it through place_order (stock, invoice, audit, the customer's email); plain forms with CSRF
that work without JavaScript, and every mistake a 4xx that says what to change and changes
nothing."""
import pytest

from portal.audit import AuditEvent
from portal.messaging.models import OutboxMessage
from portal.orders.models import Order, Product
from tests.support.forms import csrf_from, login
from tests.support.queries import queries_for

URL = "/admin/orders/new"


@pytest.fixture
def admin(client, world):
    login(client, world.admin.email)
    return client


@pytest.fixture
def goods(world):
    return (Product.create(name="Cloths", price=1200, stock=10),
            Product.create(name="Spray", price=850, stock=1),
            Product.create(name="Old mop", price=500, stock=3, active=False))


def post(client, customer, **quantities):
    url = f"{URL}?customer={customer}"
    data = {"csrf_token": csrf_from(client.get(url).get_data(as_text=True)),
            "customer": str(customer), **quantities}
    return client.post(url, data=data)


def test_find_choose_and_place_without_javascript(admin, world, goods):
    cloths, spray, _ = goods
    found = admin.get(URL + "?q=casey").get_data(as_text=True)
    assert f'href="{URL}?customer={world.customer.id}"' in found
    page = admin.get(f"{URL}?customer={world.customer.id}").get_data(as_text=True)
    assert world.customer.email in page and 'name="csrf_token"' in page
    assert f'name="qty-{cloths.id}"' in page and "Old mop" not in page
    response = post(admin, world.customer.id, **{f"qty-{cloths.id}": "2",
                                                 f"qty-{spray.id}": "1"})
    assert response.status_code == 302
    order = Order.get()
    assert response.headers["Location"].endswith(f"/admin/orders/{order.ref}")
    assert (order.customer_id, order.total) == (world.customer.id, 3250)
    assert (Product.get_by_id(cloths.id).stock, Product.get_by_id(spray.id).stock) == (8, 0)
    placed = AuditEvent.get(AuditEvent.subject_type == "order")
    assert (placed.action, placed.actor_kind, placed.channel) == ("placed", "admin", "admin")
    assert OutboxMessage.get().to_address == world.customer.email
    shown = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Order {order.ref} placed." in shown


def test_the_orders_list_and_customer_page_offer_new_order(admin, world):
    assert f'href="{URL}"' in admin.get("/admin/orders").get_data(as_text=True)
    page = admin.get(f"/admin/customers/{world.customer.id}").get_data(as_text=True)
    assert f'href="{URL}?customer={world.customer.id}"' in page


@pytest.mark.parametrize("quantities,status,message", [
    ({}, 422, "Enter a quantity for at least one product."),
    ({"CLOTHS": "0"}, 422, "Enter a quantity for at least one product."),
    ({"CLOTHS": "two"}, 422, "The quantity of Cloths must be a whole number from 0 to 999."),
    ({"CLOTHS": "-1"}, 422, "The quantity of Cloths must be a whole number"),
    ({"CLOTHS": "1000"}, 422, "The quantity of Cloths must be a whole number"),
    ({"SPRAY": "2"}, 409, "Sorry, Spray is out of stock (1 left)."),
    ({"GONE": "1"}, 422, "no longer for sale"),
])
def test_mistakes_are_4xx_that_say_what_to_change_and_change_nothing(admin, world, goods,
                                                                     quantities, status,
                                                                     message):
    names = {"CLOTHS": goods[0].id, "SPRAY": goods[1].id, "GONE": goods[2].id}
    response = post(admin, world.customer.id,
                    **{f"qty-{names[k]}": v for k, v in quantities.items()})
    page = response.get_data(as_text=True)
    assert response.status_code == status and message in page.replace("&#39;", "'")
    assert Order.select().count() == 0 and OutboxMessage.select().count() == 0
    assert sorted(p.stock for p in Product.select()) == [1, 3, 10]
    for key, value in quantities.items():  # what was typed is still there
        if key != "GONE":
            assert f'value="{value}"' in page


def test_no_customer_or_an_unknown_one_is_refused(admin, world, goods):
    url = URL
    data = {"csrf_token": csrf_from(admin.get(url).get_data(as_text=True)),
            f"qty-{goods[0].id}": "1"}
    response = admin.post(url, data=data)
    assert response.status_code == 422 and "Choose a customer first" in \
        response.get_data(as_text=True)
    data["customer"] = "99999"
    response = admin.post(url, data=data)
    assert response.status_code == 422 and "couldn&#39;t find that customer" in \
        response.get_data(as_text=True)
    response = admin.post(url, data={**data, "customer": "x' OR 1=1"})
    assert response.status_code == 422
    assert Order.select().count() == 0


def test_a_post_without_csrf_is_refused(admin, world, goods):
    response = admin.post(URL, data={"customer": str(world.customer.id),
                                     f"qty-{goods[0].id}": "1"})
    assert 400 <= response.status_code < 500 and Order.select().count() == 0


def test_customers_may_not_place_orders_here(client, world, goods):
    login(client, world.customer.email)
    assert client.get(URL).status_code in (302, 403, 404)


def test_the_page_costs_the_same_for_two_products_or_sixty(admin, world, goods):
    url = f"{URL}?customer={world.customer.id}"
    before = queries_for(admin, url)
    for n in range(60):
        Product.create(name=f"Thing {n}", price=100, stock=5)
    assert queries_for(admin, url) == before
