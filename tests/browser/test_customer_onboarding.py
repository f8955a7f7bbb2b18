"""Issue 10's must-show, in a real browser: the admin adds a customer who phoned and books them
in; the customer follows the emailed invitation (through a real SMTP server), sets a password,
logs in, sees the booking and cancels it."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.bookings.models import Booking
from portal.kernel.clock import utcnow
from portal.kernel.timefmt import to_local
from portal.messaging.outbox import work_once
from portal.people import Customer
from tests.support.account_helpers import LINK_RE

pytestmark = pytest.mark.browser

NAME, EMAIL, PHONE = "Pat Phoneday", "pat.phoneday@example.com", "(555) 010-3131"
PASSWORD = "sunny window 42"


def next_wednesday(tz):
    """A working day far enough ahead that every free time may still be cancelled online."""
    day = to_local(utcnow(), tz).date() + timedelta(days=6)
    return day + timedelta(days=(2 - day.weekday()) % 7)


def log_in(page, base, email, password):
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def admin_adds_customer(page, base):
    log_in(page, base, "admin@example.com", "demo")
    page.goto(f"{base}/admin/customers/new")
    page.get_by_label("Name").fill(NAME)
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Phone").fill(PHONE)
    page.get_by_label("Address").fill("9 Harbour Lane, Springfield")
    page.get_by_role("button", name="Add customer").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"We've emailed {EMAIL} an invitation to set a password.")


def admin_books_by_phone(page, base, day):
    page.goto(f"{base}/admin/bookings/new")
    page.wait_for_load_state()
    page.get_by_role("searchbox", name="Find a customer").fill("Phoneday")
    page.get_by_role("button", name=f"Choose {NAME}").click()
    expect(page.locator("#nb-customer")).to_contain_text(EMAIL)
    regular = page.locator("#nb-service option", has_text="Regular clean").get_attribute("value")
    page.get_by_label("Service", exact=True).select_option(value=regular)
    page.locator("#nb-date").fill(day.isoformat())
    times = page.locator("#new-booking-times input[name=start]")
    expect(page.locator("#new-booking-times legend")).to_contain_text(day.strftime("%-d %B"))
    times.first.check()
    page.get_by_label("Notes for the fieldworker").fill("Customer phoned; side gate is open.")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("status")).to_contain_text("Booked BK-")
    return re.search(r"Booked (BK-[A-Z0-9]{6})", page.get_by_role("status").inner_text())[1]


def test_admin_books_a_phone_customer_who_then_sets_a_password_and_cancels(
        browser, demo, smtp, screenshot):
    admin = browser.new_context(viewport={"width": 1024, "height": 768})
    admin.set_default_timeout(5000)
    page = admin.new_page()
    admin_adds_customer(page, demo)
    customer = Customer.get(Customer.email == EMAIL)
    day = next_wednesday("America/New_York")
    ref = admin_books_by_phone(page, demo, day)
    screenshot(page, "onboarding-1-admin-booked")
    admin.close()

    # The outbox worker sends the invitation and the confirmation through real SMTP.
    work_once()
    mails = {str(m["Subject"]): m for m in smtp.parsed() if m["To"] == EMAIL}
    invitation = next(m for s, m in mails.items() if s.startswith("Set your password"))
    assert any(ref in s for s in mails), list(mails)
    path = LINK_RE.search(invitation.get_body(("plain",)).get_content()).group(1)

    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.set_default_timeout(5000)
    page = context.new_page()
    page.goto(demo + path)
    expect(page.get_by_role("heading", name="Set your password", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text(EMAIL)
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("Type it again").fill(PASSWORD)
    page.get_by_role("button", name="Save password and log in").click()
    expect(page).to_have_url(f"{demo}/bookings")
    expect(page.get_by_role("status")).to_contain_text("Your password is set")
    screenshot(page, "onboarding-2-password-set")

    # Log out and back in with the new password, as they will next time.
    page.get_by_role("button", name="Log out Pat").click()
    log_in(page, demo, EMAIL, PASSWORD)
    expect(page).to_have_url(f"{demo}/bookings")
    page.wait_for_load_state()
    row = page.locator("#booking-list a.booking-row").filter(has_text="Regular clean")
    expect(row).to_have_count(1)
    row.click()
    expect(page).to_have_url(f"{demo}/bookings/{ref}")
    page.wait_for_load_state()
    page.locator("main").get_by_role("button", name="Cancel booking").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("This action cannot be undone.")
    dialog.get_by_role("button", name="Cancel booking").click()
    expect(page.locator(f"#status-{ref}")).to_have_text("Cancelled")
    screenshot(page, "onboarding-3-cancelled")
    context.close()

    booking = Booking.get(Booking.ref == ref)
    assert (booking.customer_id, booking.status, booking.cancel_channel) == (
        customer.id, "cancelled", "portal")
    # The link did its one job.
    again = browser.new_page()
    assert again.goto(demo + path).status == 410
    again.close()
