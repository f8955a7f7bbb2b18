"""The admin back office in a real browser: Edit booking > status > Cancelled with a fee, the
invoice updated in place, the Cancelled filter listing it; no-show with JavaScript off."""
import re

import pytest
from playwright.sync_api import expect

from portal.billing.models import Invoice, InvoiceLine
from portal.bookings.models import Booking, Service
from portal.kernel.clock import utcnow
from tests.support.browsing import staff_log_in

pytestmark = pytest.mark.browser


def deep_clean():
    """The demo's upcoming Deep clean ($180.00) for Casey."""
    return (Booking.select().join(Service).where((Service.name == "Deep clean")
                                                 & (Booking.status == "scheduled")
                                                 & (Booking.starts_at > utcnow())).get())


def test_admin_cancels_with_a_fee_and_finds_it_under_cancelled(page, demo, screenshot):
    booking = deep_clean()
    staff_log_in(page, demo)
    page.goto(f"{demo}/admin/bookings/{booking.ref}")
    page.wait_for_load_state()
    invoice = page.locator(f"#invoice-{booking.ref}")
    expect(invoice.locator("[data-invoice-total]")).to_have_text("$180.00")

    page.evaluate("window.__marker = 1")  # gone if anything reloads the page
    status = page.get_by_label("Change status")
    status.select_option("cancelled")
    page.get_by_role("button", name="Continue").click()  # choosing alone opens nothing
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_role("heading", name="Cancel this booking?")).to_be_visible()
    fee = dialog.get_by_label("Fee amount (USD)")
    expect(fee).to_have_value("25.00")  # the demo's default from Settings > Tax & Fees
    dialog.get_by_label("Reason").select_option(label="Illness or emergency")
    dialog.get_by_label("Cancellation note").fill("Customer phoned: flu")
    dialog.get_by_label("Add a cancellation fee to the invoice").check()
    fee.fill("30")
    screenshot(page, "admin-cancel-with-fee")
    dialog.get_by_role("button", name="Cancel booking").click()

    expect(page.locator("dialog[open]")).to_have_count(0)
    card = page.locator(f"#booking-{booking.ref}")
    expect(card.locator(".badge").first).to_have_text("Cancelled")
    expect(invoice.locator("tr", has_text="Cancellation fee")).to_contain_text("$30.00")
    expect(invoice.locator("[data-invoice-total]")).to_have_text("$30.00")  # the visit credited
    expect(card.get_by_role("heading", name="History")).to_be_visible()
    expect(card).to_contain_text("Customer phoned: flu")
    assert page.evaluate("window.__marker") == 1, "the page reloaded"
    screenshot(page, "admin-cancelled-invoice")
    lines = [(line.kind, line.amount) for line in InvoiceLine.select().join(Invoice)
             .where(Invoice.booking == booking.id).order_by(InvoiceLine.id)]
    assert lines == [("service", 18000), ("service_cancelled", -18000), ("cancellation_fee", 3000)]

    page.get_by_role("link", name="All bookings").click()
    page.wait_for_load_state()
    page.get_by_label("Show").select_option("cancelled")
    row = page.locator("#bookings-table tr", has_text=booking.ref)
    expect(row).to_contain_text("Cancelled")
    expect(page).to_have_url(re.compile(r"view=cancelled"))
    screenshot(page, "admin-list-cancelled")


def test_no_show_with_a_fee_works_without_javascript(nojs_page, demo):
    page = nojs_page
    booking = (Booking.select().where((Booking.status == "scheduled")
                                      & (Booking.starts_at < utcnow())).get())
    staff_log_in(page, demo)
    page.goto(f"{demo}/admin/bookings/{booking.ref}")
    page.get_by_label("Change status").select_option("no_show")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Mark this booking as no-show?")).to_be_visible()
    page.get_by_label("Add a no-show fee to the invoice").check()
    page.get_by_role("button", name="Mark as no-show").click()
    expect(page.get_by_text("Booking marked as no-show.")).to_be_visible()
    expect(page.locator(f"#invoice-{booking.ref}")).to_contain_text("No-show fee")
    assert Booking.get_by_id(booking.id).status == "no_show"
