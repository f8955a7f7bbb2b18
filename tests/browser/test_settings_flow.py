"""Issue 3 in a real browser: what the admin sets on Flags & Permissions is what customers get."""
import pytest
from playwright.sync_api import expect

from tests.support.browsing import log_in, open_booking

pytestmark = pytest.mark.browser


def test_admin_switches_cancellation_off_and_on_and_the_customer_sees_it(browser, demo, page):
    admin = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    admin.goto(f"{demo}/login")
    admin.get_by_label("Email").fill("admin@example.com")
    admin.get_by_label("Password").fill("demo")
    admin.get_by_role("button", name="Log in").click()
    admin.get_by_role("link", name="Settings").click()

    log_in(page, demo)
    open_booking(page, "Deep clean")
    cancel = page.get_by_role("button", name="Cancel booking")
    expect(cancel).to_be_enabled()

    admin.get_by_label("Allow customers to cancel bookings").uncheck()
    admin.get_by_label("Minimum cancellation notice").fill("48")
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("Settings saved.")).to_be_visible()

    page.reload()
    expect(cancel).to_be_disabled()
    expect(page.locator("#cancel-why")).to_contain_text("Online cancellation is not available")

    admin.get_by_label("Allow customers to cancel bookings").check()
    admin.get_by_label("Message customers see when it is too late to cancel online").fill("Too late to cancel online: call 555-0100.")
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("Settings saved.")).to_be_visible()

    page.reload()  # the Deep clean is 5 days ahead: outside 48 hours, so it may be cancelled
    expect(cancel).to_be_enabled()
    page.goto(f"{demo}/bookings")
    open_booking(page, "Oven clean")  # within 12 hours: inside the window
    expect(page.locator("#cancel-why")).to_have_text("Too late to cancel online: call 555-0100.")
    admin.context.close()
