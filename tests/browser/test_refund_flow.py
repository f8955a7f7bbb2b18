"""Money end to end in a real browser: the customer cancels a paid visit inside the 24-48 h tier,
sees the fee and the refund in the dialog before confirming, and the refund is asked for by the
cancellation itself; an admin approves and pays it out, and each decision's email reaches the
customer through a real SMTP server; the customer's page and the admin's invoice agree. The
signed "View booking" page cancels through the same confirm step."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.billing.models import FeeTier, Invoice, Refund
from portal.bookings.links import make_token
from portal.bookings.models import Booking
from portal.kernel.clock import utcnow
from portal.messaging.outbox import work_once
from tests.support.browsing import CUSTOMER, log_in, new_context, staff_log_in
from tests.support.demo_visits import paid_booking

pytestmark = pytest.mark.browser


def paid(hours):
    """A $90 visit `hours` away for the demo customer, paid by card."""
    return paid_booking((utcnow() + timedelta(hours=hours)).replace(second=0, microsecond=0))


@pytest.fixture
def paid_visit(demo):
    """30 hours away: 50 % is kept under 48 hours' notice (all of it under 24)."""
    FeeTier.create(under_hours=24, kind="percent", percent_bp=10_000)
    FeeTier.create(under_hours=48, kind="percent", percent_bp=5_000)
    return paid(30)


def refunds_of(ref):
    # The demo's history has refunds of its own: this booking's are the ones that count.
    return list(Refund.select().join(Invoice).join(Booking).where(Booking.ref == ref))


def mails_to_customer(smtp):
    while work_once()[0]:  # the outbox worker's round, through the real SMTP server
        pass
    return {str(m["Subject"]): m.get_body(("plain",)).get_content()
            for m in smtp.parsed() if m["To"] == CUSTOMER}


def test_late_cancel_refund_asked_approved_emailed_and_paid_out(browser, page, demo, paid_visit,
                                                                smtp, screenshot):
    ref = paid_visit.ref
    log_in(page, demo)
    page.goto(f"{demo}/bookings/{ref}")
    page.wait_for_load_state()
    card = page.locator(f"#booking-{ref}")
    expect(card.locator("[data-invoice-paid]")).to_have_text("$90.00")
    page.locator("main").get_by_role("button", name="Cancel booking").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("A late-cancellation fee of $45.00 applies")
    expect(dialog.locator("[data-cancel-refund]")).to_contain_text(
        "$45.00 will be refunded to you")
    screenshot(page, "refund-1-dialog")
    dialog.get_by_role("button", name="Cancel booking").click()
    # No second press: the cancellation asked for the refund the dialog promised.
    expect(card.locator(".badge.refund-requested")).to_have_text("Requested")
    expect(card.locator("[data-invoice-pending]")).to_have_text("$45.00")
    expect(card.get_by_role("button", name=re.compile("Request a refund"))).to_have_count(0)
    [refund] = refunds_of(ref)
    assert (refund.amount, refund.status, refund.requested_by_kind) == (4500, "requested",
                                                                        "customer")
    screenshot(page, "refund-2-requested")

    admin_context = new_context(browser)
    admin = admin_context.new_page()
    staff_log_in(admin, demo)
    admin.goto(f"{demo}/admin/refunds")
    expect(admin.locator("tr", has_text=ref)).to_contain_text("$45.00")
    admin.goto(f"{demo}/admin/bookings/{ref}")
    admin.wait_for_load_state()
    invoice = admin.locator(f"#invoice-{ref}")
    expect(invoice.locator("[data-invoice-total]")).to_have_text("$45.00")
    expect(invoice.locator("[data-invoice-paid]")).to_have_text("$90.00")
    invoice.get_by_label("Approval note").fill("Hope to see you soon")
    invoice.get_by_role("button", name="Approve").click()
    expect(invoice.locator(".badge", has_text="Approved")).to_be_visible()
    mails = mails_to_customer(smtp)
    approved = mails[f"Refund approved: $45.00 for booking {ref}"]
    assert "Your refund of $45.00" in approved and "Hope to see you soon" in approved
    invoice.get_by_label("Refund payment reference").fill("re_456")
    invoice.get_by_role("button", name="Mark processed").click()
    expect(invoice.locator(".badge", has_text="Processed")).to_be_visible()
    expect(invoice.locator("[data-invoice-refunded]")).to_have_text("$45.00")
    expect(invoice.locator("[data-invoice-balance]")).to_have_text("$0.00")
    screenshot(admin, "refund-3-admin-processed")
    admin_context.close()
    paid_mail = mails_to_customer(smtp)[f"Refund paid: $45.00 for booking {ref}"]
    assert "$45.00" in paid_mail and "re_456" in paid_mail

    page.reload()
    card = page.locator(f"#booking-{ref}")
    expect(card.locator(".badge.refund-processed")).to_have_text("Processed")
    expect(card.locator("[data-invoice-paid]")).to_have_text("$90.00")
    expect(card.locator("[data-invoice-refunded]")).to_have_text("$45.00")
    expect(card.locator("[data-invoice-total]")).to_have_text("$45.00")  # the fee kept
    expect(card).to_contain_text("reference re_456")
    assert not re.search(r"is due to you", card.inner_text())
    screenshot(page, "refund-4-customer-refunded")
    [refund] = refunds_of(ref)
    assert (refund.amount, refund.status, refund.processed_reference) == (4500, "processed",
                                                                          "re_456")


def test_the_view_link_page_cancels_through_the_same_confirm_step(app, page, demo, screenshot):
    """No login: the emailed "View booking" link offers Cancel, whose confirm step states the
    refund before the customer confirms."""
    visit = paid(72)
    page.goto(f"{demo}/l/{make_token(app.config['SECRET_KEY'], 'view', visit)}")
    main = page.locator("main")
    # Links styled as buttons (role=button): each opens its step's own signed page.
    expect(main.get_by_role("button", name="Reschedule")).to_be_visible()
    main.get_by_role("button", name="Cancel booking").click()
    expect(page.get_by_role("heading", name="Cancel this booking?")).to_be_visible()
    expect(main.locator("[data-cancel-refund]")).to_contain_text("$90.00 will be refunded to you")
    screenshot(page, "view-link-1-confirm")
    main.get_by_role("button", name="Cancel booking").click()
    expect(page.get_by_role("status")).to_contain_text("Your booking is cancelled")
    expect(page.locator(f"#status-{visit.ref}")).to_have_text("Cancelled")
    expect(main.get_by_role("button", name="Cancel booking")).to_have_count(0)
    expect(main.locator("[data-invoice-pending]")).to_have_text("$90.00")
    screenshot(page, "view-link-2-cancelled")
    booking = Booking.get_by_id(visit.id)
    assert (booking.status, booking.cancel_channel) == ("cancelled", "email_link")
    [refund] = refunds_of(visit.ref)
    assert (refund.amount, refund.requested_by_kind) == (9000, "customer")
