"""Rescheduling and booking in a real browser: the date picker swaps the free times in place,
the booking moves without a reload; the same flows as plain pages with JavaScript off."""

import pytest
from playwright.sync_api import expect

from portal.bookings.models import Booking, Service
from portal.kernel.clock import utcnow
from portal.kernel.timefmt import to_local, when
from portal.settings import Settings
from tests.support.browsing import log_in, open_booking
from tests.support.slots import free

pytestmark = pytest.mark.browser


def deep_clean():
    return (Booking.select().join(Service).where((Service.name == "Deep clean")
                                                 & (Booking.status == "scheduled")
                                                 & (Booking.starts_at > utcnow())).get())


def test_customer_reschedules_in_the_modal(page, demo, screenshot):
    booking = deep_clean()
    slot = free(booking.service, days_ahead=7, index=1)
    tz = Settings.current().timezone
    day = to_local(slot.starts_at, tz).date()
    log_in(page, demo)
    ref = open_booking(page, "Deep clean")
    assert ref == booking.ref
    page.evaluate("window.__marker = 1")
    page.locator("main").get_by_role("button", name="Reschedule").click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_role("heading", name="Reschedule this booking")).to_be_visible()
    dialog.get_by_label("Date").fill(day.isoformat())  # fires "change": htmx swaps the times
    legend = dialog.locator("#reschedule-times legend")
    expect(legend).to_contain_text(day.strftime("%A %-d %B %Y"))
    label = to_local(slot.starts_at, tz).strftime("%-I:%M %p")
    dialog.get_by_label(label, exact=True).check()
    screenshot(page, "reschedule-modal")
    dialog.get_by_role("button", name="Move booking").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    card = page.locator(f"#booking-{ref}")
    expect(card).to_contain_text("Your booking is moved")
    expect(card.locator("hgroup p")).to_have_text(when(slot.starts_at, tz))
    assert page.evaluate("window.__marker") == 1, "the page reloaded"
    assert Booking.get_by_id(booking.id).starts_at == slot.starts_at


def test_reschedule_and_book_without_javascript(nojs_page, demo):
    page = nojs_page
    booking = deep_clean()
    slot = free(booking.service, days_ahead=9)
    tz = Settings.current().timezone
    day = to_local(slot.starts_at, tz).date()
    log_in(page, demo)
    page.goto(f"{demo}/bookings/{booking.ref}")
    page.locator("main").get_by_role("button", name="Reschedule").click()
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_role("button", name="Show times").click()
    page.get_by_label(to_local(slot.starts_at, tz).strftime("%-I:%M %p"), exact=True).check()
    page.get_by_role("button", name="Move booking").click()
    expect(page.get_by_text("Your booking is moved")).to_be_visible()
    assert Booking.get_by_id(booking.id).starts_at == slot.starts_at

    page.goto(f"{demo}/book")
    windows = Service.get(Service.name == "Window cleaning")
    page.get_by_label("Service").select_option(str(windows.id))
    # The first day after that with times for it (the next day may be a closed one)
    today = to_local(utcnow(), tz).date()
    later = to_local(free(windows, days_ahead=(day - today).days + 1).starts_at, tz).date()
    page.get_by_label("Date").fill(later.isoformat())
    page.get_by_role("button", name="Show times").click()
    expect(page.locator("#book-times-list legend")).to_contain_text(later.strftime("%-d %B"))
    first = page.locator("#book-times-list input[name=start]").first
    value = first.get_attribute("value")
    first.check()
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_text("Booked!")).to_be_visible()
    made = Booking.select().join(Service).where(Service.name == "Window cleaning") \
        .order_by(Booking.id.desc()).get()
    assert made.starts_at.isoformat() == value and made.status == "scheduled"
