"""Money end to end in a real browser: the customer cancels a paid visit inside the 24-48 h tier,
sees the fee before confirming, asks for the rest back; an admin approves and pays it out; the
customer's page and the admin's invoice agree."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.billing.invoices import open_invoice
from portal.billing.models import FeeTier, Invoice, Refund
from portal.billing.payments import record_payment
from portal.bookings.models import Assignment, Booking, Service
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.people import Customer, Staff
from portal.settings import Settings
from tests.support.browsing import staff_log_in
from tests.support.browsing import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def paid_visit(demo):
    """A $90 visit 30 hours away, paid by card; 50 % is kept under 48 hours' notice."""
    FeeTier.create(under_hours=24, kind="percent", percent_bp=10_000)
    FeeTier.create(under_hours=48, kind="percent", percent_bp=5_000)
    casey = Customer.get(Customer.email == "customer@example.com")
    service = Service.get(Service.name == "Regular clean")
    start = (utcnow() + timedelta(hours=30)).replace(second=0, microsecond=0)
    booking = Booking.create(customer=casey, service=service, starts_at=start,
                             ends_at=start + timedelta(hours=2), price=9000,
                             address=casey.address)
    Assignment.create(booking=booking, staff=Staff.get(Staff.email == "fieldworker@example.com"))
    invoice = open_invoice(booking, service, Settings.current())
    record_payment(invoice.id, 9000, "card", "ch_demo", Actor("admin", None, "Alex Admin"))
    return booking


def test_late_cancel_refund_approved_and_paid_out(browser, page, demo, paid_visit, screenshot):
    ref = paid_visit.ref
    log_in(page, demo)
    page.goto(f"{demo}/bookings/{ref}")
    page.wait_for_load_state()
    page.locator("main").get_by_role("button", name="Cancel booking").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("A late-cancellation fee of $45.00 applies")
    screenshot(page, "refund-1-fee-notice")
    dialog.get_by_role("button", name="Cancel booking").click()
    card = page.locator(f"#booking-{ref}")
    expect(card).to_contain_text("A refund of $45.00 is due to you.")
    card.get_by_role("button", name="Request a refund of $45.00").click()
    expect(card).to_contain_text("Refund requested")
    expect(card.locator(".badge.refund-requested")).to_have_text("Requested")
    screenshot(page, "refund-2-requested")

    admin_context = browser.new_context(viewport={"width": 1024, "height": 768})
    admin = admin_context.new_page()
    admin.set_default_timeout(5000)
    staff_log_in(admin, demo)
    admin.goto(f"{demo}/admin/refunds")
    row = admin.locator("tr", has_text=ref)
    expect(row).to_contain_text("$45.00")
    admin.goto(f"{demo}/admin/bookings/{ref}")
    admin.wait_for_load_state()
    invoice = admin.locator(f"#invoice-{ref}")
    expect(invoice.locator("[data-invoice-total]")).to_have_text("$45.00")
    expect(invoice.locator("[data-invoice-paid]")).to_have_text("$90.00")
    invoice.get_by_role("button", name="Approve").click()
    expect(invoice.locator(".badge", has_text="Approved")).to_be_visible()
    invoice.get_by_label("Refund payment reference").fill("re_456")
    invoice.get_by_role("button", name="Mark processed").click()
    expect(invoice.locator(".badge", has_text="Processed")).to_be_visible()
    expect(invoice.locator("[data-invoice-refunded]")).to_have_text("$45.00")
    expect(invoice.locator("[data-invoice-balance]")).to_have_text("$0.00")
    screenshot(admin, "refund-3-admin-processed")
    admin_context.close()

    page.reload()
    card = page.locator(f"#booking-{ref}")
    expect(card.locator(".badge.refund-processed")).to_have_text("Processed")
    expect(card).to_contain_text("$45.00")
    assert not re.search(r"is due to you", card.inner_text())
    # the demo's history has refunds of its own: this booking's is the one that counts
    [refund] = Refund.select().join(Invoice).join(Booking).where(Booking.ref == ref)
    assert (refund.amount, refund.status, refund.processed_reference) == (4500, "processed",
                                                                          "re_456")
