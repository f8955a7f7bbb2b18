"""A booking by phone in a real browser: the admin adds the caller as a customer, then books
their visit through the picker (htmx swaps the matches and the free times in place), and the
booking shows up; then the same as plain pages with JavaScript off."""
import pytest
from playwright.sync_api import expect

from portal.bookings.models import Booking, Service
from portal.kernel.timefmt import to_local
from portal.messaging.models import OutboxMessage
from portal.people import Customer
from portal.settings import Settings
from tests.support.browsing import staff_log_in
from tests.support.slots import free

pytestmark = pytest.mark.browser


def add_customer(page, demo, name, email, phone):
    page.goto(f"{demo}/admin/customers")
    page.get_by_role("button", name="Add a customer").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Phone").fill(phone)
    page.get_by_label("Address").fill("7 Willow Way\nSpringfield")
    page.get_by_role("button", name="Add customer").click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(page.get_by_text(f"We've emailed {email} an invitation")).to_be_visible()


def chosen_slot(days_ahead):
    windows = Service.get(Service.name == "Window cleaning")
    slot = free(windows, days_ahead=days_ahead)
    local = to_local(slot.starts_at, Settings.current().timezone)
    return windows, slot, local.date().isoformat(), local.strftime("%-I:%M %p")


def booked_for(email):
    return Booking.select().join(Customer).where(Customer.email == email).get()


def test_admin_adds_a_caller_and_books_their_visit(page, demo, screenshot):
    staff_log_in(page, demo)
    add_customer(page, demo, "Pat Phoner", "pat@example.org", "(555) 010-7777")

    page.goto(f"{demo}/admin/bookings")
    page.get_by_role("button", name="New booking").click()
    page.evaluate("window.__marker = 1")
    page.get_by_label("Find a customer").fill("0107777")  # typing swaps the matches in
    matches = page.locator("#customer-matches")
    expect(matches).to_contain_text("Pat Phoner")
    assert page.evaluate("window.__marker") == 1, "the page reloaded"
    matches.get_by_role("button", name="Choose Pat Phoner").click()
    expect(page.locator("#nb-customer")).to_contain_text("pat@example.org")

    windows, slot, day, label = chosen_slot(days_ahead=8)
    page.evaluate("window.__marker = 2")
    page.get_by_label("Service", exact=True).select_option(str(windows.id))
    page.get_by_label("Date").fill(day)  # "change": htmx swaps the free times
    expect(page.locator("#new-booking-times-list legend")).to_contain_text(
        to_local(slot.starts_at, Settings.current().timezone).strftime("%A %-d %B %Y"))
    assert page.evaluate("window.__marker") == 2, "the page reloaded"
    page.locator("#new-booking-times").get_by_label(label, exact=True).check()
    expect(page.get_by_label("Address of the visit")).to_have_value("7 Willow Way\nSpringfield")
    page.get_by_label("Notes for the fieldworker").fill("Side gate is open.")
    screenshot(page, "admin-new-booking")
    page.get_by_role("button", name="Book this time").click()

    expect(page.get_by_text("Booked BK-")).to_be_visible()
    booking = booked_for("pat@example.org")
    assert (booking.starts_at, booking.service_id, booking.notes) == (
        slot.starts_at, windows.id, "Side gate is open.")
    card = page.locator(f"#booking-{booking.ref}")
    expect(card).to_contain_text("Pat Phoner")
    expect(card).to_contain_text("Side gate is open.")
    page.goto(f"{demo}/admin/bookings?q=pat%40example.org")
    expect(page.locator(f"#row-{booking.ref}")).to_contain_text("Window cleaning")
    kinds = {m.dedupe_key.split(":")[0] for m in OutboxMessage.select()
             .where(OutboxMessage.to_address == "pat@example.org")}
    assert kinds == {"account_invite", "booking_confirmed"}


def test_the_same_without_javascript(nojs_page, demo):
    page = nojs_page
    staff_log_in(page, demo)
    add_customer(page, demo, "Quinn Quiet", "quinn@example.org", "555 010 8888")
    page.get_by_role("button", name="New booking").first.click()
    expect(page.locator("#nb-customer")).to_contain_text("Quinn Quiet")

    windows, slot, day, label = chosen_slot(days_ahead=9)
    page.get_by_label("Service", exact=True).select_option(str(windows.id))
    page.get_by_label("Date").fill(day)
    page.get_by_role("button", name="Show times").click()
    page.locator("#new-booking-times").get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Book this time").click()

    expect(page.get_by_text("Booked BK-")).to_be_visible()
    booking = booked_for("quinn@example.org")
    assert booking.starts_at == slot.starts_at and booking.address == "7 Willow Way\nSpringfield"
    page.goto(f"{demo}/admin/customers")
    page.get_by_label("Search", exact=True).fill("quinn")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Quinn Quiet").click()
    expect(page.locator(f"#row-{booking.ref}")).to_contain_text("Window cleaning")
