"""An order from the business's shop, end to end in a real browser as people click: an admin
makes the shop an orders:write token, the shop places an order through the API (a retry with
its key gets the same order), the admin records the card payment on the order page, the
customer cancels it in the portal, the admin opens the cancellation notice, approves the
refund on the order page, the customer's refund email arrives, and Reports shows the order
cancellation."""
import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from portal.billing.models import Refund
from portal.integrations.models import Integration
from portal.kernel.timefmt import money
from portal.orders.models import Order, Product
from portal.messaging.outbox import work_once
from tests.support.browsing import CUSTOMER, log_in, new_context, staff_log_in

pytestmark = pytest.mark.browser


def call_api(base_url, token, body, key):
    """POST /api/v1/orders the way the shop's server would; returns (status, JSON, headers)."""
    request = urllib.request.Request(
        f"{base_url}/api/v1/orders", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                 "Idempotency-Key": key})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read()), response.headers


def test_api_order_cancelled_by_customer_refund_approved_and_reported(browser, page, demo,
                                                                      smtp, screenshot):
    admin_context = new_context(browser)
    admin = admin_context.new_page()
    staff_log_in(admin, demo)

    # The admin gives the shop a token that may place orders.
    shop = Integration.select().order_by(Integration.id).first()
    admin.goto(f"{demo}/admin/integrations/{shop.id}")
    admin.get_by_role("link", name="API tokens").click()
    admin.get_by_label("orders:write").check()
    admin.get_by_role("button", name="Make token").click()
    token = admin.locator("#token-value").input_value()
    assert token.startswith("rbk_")

    # The shop places an order; its retry (same key, same body) is answered with the same one.
    spray = Product.get(Product.name == "Eco surface spray")
    body = {"customer_email": "customer@example.com",
            "items": [{"product_id": spray.id, "quantity": 2}]}
    status, placed, _ = call_api(demo, token, body, "shop-order-1001")
    assert status == 201 and placed["status"] == "placed"
    again_status, again, headers = call_api(demo, token, body, "shop-order-1001")
    assert (again_status, again, headers["Idempotent-Replayed"]) == (201, placed, "true")
    ref, total = placed["ref"], money(placed["total"], placed["currency"])
    assert Order.select().where(Order.ref == ref).count() == 1

    # The customer paid by card: the admin records it on the order page.
    admin.get_by_role("link", name="Orders", exact=True).click()
    admin.get_by_role("link", name=ref).click()
    expect(admin).to_have_url(f"{demo}/admin/orders/{ref}")
    invoice = admin.locator(f"#invoice-{ref}")
    invoice.get_by_label("Amount", exact=True).fill(total.lstrip("$"))
    invoice.get_by_role("button", name="Record payment").click()
    expect(invoice.locator("[data-invoice-paid]")).to_have_text(total)

    # The customer cancels it in the portal.
    log_in(page, demo)
    page.get_by_role("link", name="My orders").click()
    page.locator("a.booking-row", has_text=ref).click()
    expect(page).to_have_url(f"{demo}/orders/{ref}")
    page.wait_for_load_state()
    page.locator("main").get_by_role("button", name="Cancel order").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Reason").select_option(label="No longer needed")
    screenshot(page, "order-1-cancel-dialog")
    dialog.get_by_role("button", name="Cancel order").click()
    card = page.locator(f"#order-{ref}")
    expect(card.locator(f"#status-{ref}")).to_have_text("Cancelled")
    expect(card).to_contain_text("No longer needed")

    # The admin's notice of it opens the order page, where the refund is approved.
    admin.get_by_role("link", name=re.compile("^Notifications")).click()
    admin.get_by_role("link", name=f"Open order {ref}").first.click()
    expect(admin).to_have_url(f"{demo}/admin/orders/{ref}")
    admin.wait_for_load_state()
    invoice = admin.locator(f"#invoice-{ref}")
    refund = invoice.locator(".refund-list li")
    expect(refund).to_contain_text(total)
    expect(refund.locator(".badge")).to_have_text("Requested")
    refund.get_by_label("Approval note").fill("Unopened, back in stock")
    refund.get_by_role("button", name="Approve").click()
    expect(refund.locator(".badge")).to_have_text("Approved")
    expect(invoice).to_contain_text("Refund approved.")
    screenshot(admin, "order-2-refund-approved")
    [row] = Refund.select().where(Refund.invoice == Order.get(Order.ref == ref).invoice_id)
    assert (row.status, row.amount, row.decision_note) == ("approved", placed["total"],
                                                           "Unopened, back in stock")

    # The customer hears of the decision: the worker sends it through the real SMTP server.
    while work_once()[0]:
        pass
    subject = f"Refund approved: {total} for order {ref}"
    [approved] = [m for m in smtp.parsed() if m["To"] == CUSTOMER and m["Subject"] == subject]
    text = approved.get_body(("plain",)).get_content()
    assert f"Your refund of {total}" in text and "Unopened, back in stock" in text

    # Reports shows the order cancellation: reason, channel, stage and the revenue lost.
    admin.get_by_role("link", name="Reports").click()
    orders = admin.locator("#report-orders")
    expect(orders.locator("#orders-cancelled")).to_have_text("1")
    expect(orders.locator("#orders-lost")).to_have_text(total)
    expect(orders.locator("#table-order-reasons")).to_contain_text("No longer needed")
    expect(orders.locator("#table-order-channels")).to_contain_text("Customer portal")
    expect(orders.locator("#table-order-stages tbody tr")).to_contain_text("Placed")
    screenshot(admin, "order-3-report")
    admin_context.close()


def test_a_phone_order_is_taken_without_javascript(nojs_page, demo):
    page = nojs_page
    staff_log_in(page, demo)
    page.get_by_role("link", name="Orders", exact=True).click()
    page.get_by_role("button", name="New order").click()
    page.get_by_label("Find a customer").fill("casey")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name="Choose Casey Customer").click()
    expect(page.locator("#no-customer")).to_contain_text("customer@example.com")
    # The shop sells the last mops while the admin is on the phone: refused, quantities kept.
    mop = Product.get(Product.name == "Spin mop and bucket")
    page.get_by_label("Spin mop and bucket").fill("2")
    page.get_by_label("Eco surface spray").fill("1")
    Product.update(stock=1).where(Product.id == mop.id).execute()
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("alert")).to_contain_text("Spin mop and bucket is out of stock")
    expect(page.get_by_label("Eco surface spray")).to_have_value("1")
    expect(page.get_by_label("Spin mop and bucket")).to_have_value("2")
    page.get_by_label("Spin mop and bucket").fill("1")
    page.get_by_role("button", name="Place order").click()
    expect(page).to_have_url(re.compile(r"/admin/orders/OR-[A-Z0-9]{6}$"))
    expect(page.locator(".flash-success")).to_contain_text("placed")
    ref = page.url.rsplit("/", 1)[1]
    order = Order.get(Order.ref == ref)
    assert order.status == "placed" and order.total > 0
    expect(page.locator(f"#order-{ref}")).to_contain_text("Spin mop and bucket")
