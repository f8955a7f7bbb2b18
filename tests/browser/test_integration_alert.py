"""The cancel dialog's "Manual update required" alert in a real browser, on the demo's
bookings: ClinicPro PMS can't apply cancellations (alert), CalSync can (no alert)."""
import pytest
from playwright.sync_api import expect

from portal.bookings.models import Booking
from portal.integrations.models import Integration
from portal.integrations.webhook_models import WebhookDelivery
from tests.support.browsing import staff_log_in
from tests.support.browsing import log_in, open_booking

pytestmark = pytest.mark.browser

ALERT = "Manual update required: also cancel this booking in ClinicPro PMS"


def linked_to(name):
    return Booking.select().join(Integration).where(Integration.name == name).get()


def open_cancel(page, base_url, booking):
    page.goto(f"{base_url}/admin/bookings/{booking.ref}")
    page.wait_for_load_state()  # htmx is ready: the link opens the modal
    page.locator("main").get_by_role("button", name="Cancel booking").click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_role("heading", name="Cancel this booking?")).to_be_visible()
    return dialog


def test_the_admin_modal_says_manual_update_required_then_cancels(page, demo, screenshot):
    booking = linked_to("ClinicPro PMS")
    staff_log_in(page, demo)
    dialog = open_cancel(page, demo, booking)
    alert = dialog.get_by_role("alert")
    expect(alert).to_contain_text(ALERT)
    expect(alert).to_contain_text("its reference there: CP-10421")
    screenshot(page, "manual-update-required")
    dialog.get_by_role("button", name="Cancel booking").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(page.locator(f"#status-{booking.ref}")).to_have_text("Cancelled")
    # ClinicPro takes no webhooks; CalSync hears of every booking, without ClinicPro's ref.
    [queued] = WebhookDelivery.select()
    assert queued.event_type == "booking.cancelled" and '"external_ref":null' in queued.body


def test_no_alert_for_a_system_that_applies_cancellations(page, demo):
    staff_log_in(page, demo)
    dialog = open_cancel(page, demo, linked_to("CalSync"))
    expect(dialog).to_contain_text("This action cannot be undone.")
    expect(dialog.get_by_role("alert")).to_have_count(0)
    expect(dialog).not_to_contain_text("Manual update required")


def test_the_alert_without_javascript(nojs_page, demo):
    page, booking = nojs_page, linked_to("ClinicPro PMS")
    staff_log_in(page, demo)
    page.goto(f"{demo}/admin/bookings/{booking.ref}/cancel")
    expect(page.get_by_role("alert")).to_contain_text(ALERT)
    page.get_by_role("button", name="Cancel booking").click()
    expect(page).to_have_url(f"{demo}/admin/bookings/{booking.ref}")
    assert Booking.get_by_id(booking.id).status == "cancelled"


def test_the_customer_is_not_shown_the_staff_alert(page, demo):
    log_in(page, demo, email="other@example.com")
    open_booking(page, "Regular clean")
    page.locator("main").get_by_role("button", name="Cancel booking").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("This action cannot be undone.")
    expect(dialog).not_to_contain_text("Manual update required")
