"""A cancelled paid order's refund, decided where the order is: the admin order page shows its
invoice with the booking page's approve / reject / process forms (the same billing views), each
answering on the order page; the refund queue links the refund to the order; the admins' notice
of the cancellation opens the order's admin page."""
import pytest

from portal.billing.models import Payment, Refund
from portal.kernel.actors import Actor
from portal.messaging.models import Notification
from portal.orders.models import Product
from portal.orders.services import cancel_order, place_order
from tests.support.forms import csrf_from, login
from tests.support.queries import queries_for

HX = {"HX-Request": "true"}


@pytest.fixture
def refund(world):
    """Casey's paid order, cancelled by Casey: its refund waits for a decision."""
    casey = Actor("customer", world.customer.id, world.customer.name)
    cloths = Product.create(name="Cloths", price=1200, stock=10)
    order = place_order(world.customer.id, [(cloths.id, 2)], casey)
    Payment.create(invoice=order.invoice_id, amount=order.total, method="card",
                   recorded_by_kind="admin")
    cancel_order(order.ref, casey, channel="portal")
    return Refund.get(Refund.invoice == order.invoice_id), order


@pytest.fixture
def admin(client, world):
    login(client, world.admin.email)
    return client


def form(client, url, **data):
    return {"csrf_token": csrf_from(client.get(url).get_data(as_text=True)), **data}


def test_the_order_page_shows_the_invoice_and_separate_approve_and_reject(admin, refund):
    r, order = refund
    page = admin.get(f"/admin/orders/{order.ref}").get_data(as_text=True)
    assert f'id="invoice-{order.ref}"' in page and "2 × Cloths" in page
    assert f'action="/admin/refunds/{r.id}/approve"' in page
    assert f'action="/admin/refunds/{r.id}/reject"' in page
    assert "Record payment" not in page  # a cancelled order asks for no payment


def test_approve_then_process_from_the_order_page_without_javascript(admin, refund):
    r, order = refund
    url = f"/admin/orders/{order.ref}"
    response = admin.post(f"/admin/refunds/{r.id}/approve",
                          data=form(admin, url, version=str(r.version), note="Fine"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{url}#invoice-{order.ref}")
    assert Refund.get_by_id(r.id).status == "approved"
    page = admin.get(url).get_data(as_text=True)
    assert "Refund approved." in page and "Mark processed" in page
    response = admin.post(f"/admin/refunds/{r.id}/process",
                          data=form(admin, url, version="2", reference="PAYOUT-9"))
    assert response.status_code == 302
    assert Refund.get_by_id(r.id).status == "processed"
    assert "reference PAYOUT-9" in admin.get(url).get_data(as_text=True)


def test_reject_with_htmx_redraws_the_order_invoice(admin, refund):
    r, order = refund
    data = form(admin, f"/admin/orders/{order.ref}", version=str(r.version), note="Used")
    response = admin.post(f"/admin/refunds/{r.id}/reject", data=data, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert f'id="invoice-{order.ref}"' in body and "Refund rejected." in body
    assert Refund.get_by_id(r.id).status == "rejected"


def test_a_refused_decision_says_why_on_the_order_page_and_changes_nothing(admin, refund):
    r, order = refund
    data = form(admin, f"/admin/orders/{order.ref}", version=str(r.version), note="")
    response = admin.post(f"/admin/refunds/{r.id}/reject", data=data)
    assert response.status_code == 422
    assert "the note is required" in response.get_data(as_text=True)
    assert f"Order <code>{order.ref}</code>" in response.get_data(as_text=True)
    assert Refund.get_by_id(r.id).status == "requested"


def test_the_queue_links_the_refund_to_its_order(admin, refund):
    r, order = refund
    page = admin.get("/admin/refunds").get_data(as_text=True)
    assert f'href="/admin/orders/{order.ref}#refund-{r.id}"' in page
    assert f"Invoice {r.invoice_id}" not in page


def test_the_cancellation_notice_opens_the_admin_order_page(admin, world, refund):
    _, order = refund
    notice = Notification.get(Notification.staff == world.admin.id)
    assert notice.order_id == order.id
    page = admin.get("/fieldworker/notifications").get_data(as_text=True)
    assert f'href="/admin/orders/{order.ref}"' in page and "Open order" in page


def test_the_order_page_costs_the_same_with_many_payments_and_refunds(admin, world, refund):
    r, order = refund
    url = f"/admin/orders/{order.ref}"
    before = queries_for(admin, url)
    for n in range(20):
        Payment.create(invoice=order.invoice_id, amount=100, method="cash",
                       recorded_by_kind="admin")
        Refund.create(invoice=order.invoice_id, amount=50, reason=f"Part {n}",
                      requested_by_kind="admin")
    assert queries_for(admin, url) == before


def test_an_admin_cancel_with_htmx_redraws_the_invoice_with_its_refund(admin, world):
    cloths = Product.create(name="Cloths", price=1200, stock=10)
    order = place_order(world.customer.id, [(cloths.id, 1)], Actor("admin", world.admin.id))
    Payment.create(invoice=order.invoice_id, amount=order.total, method="card",
                   recorded_by_kind="admin")
    url = f"/admin/orders/{order.ref}/cancel"
    response = admin.post(url, data=form(admin, url, version="1"), headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and f'id="order-{order.ref}"' in body
    invoice = body[body.index(f'<section id="invoice-{order.ref}"'):]
    assert invoice.split(">", 1)[0].endswith('hx-swap-oob="true"')
    assert "refund-requested" in invoice and "Approve" in invoice
