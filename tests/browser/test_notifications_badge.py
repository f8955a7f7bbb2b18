"""The fieldworker's unread badge in a real browser: it lights up without a reload when a
customer cancels, and goes away when the notice is marked read."""
import re

import pytest
from playwright.sync_api import expect

from portal.bookings.models import Assignment, Booking
from portal.bookings.services import cancel_booking
from portal.kernel.actors import Actor
from portal.messaging.models import Notification
from portal.people import Customer, Staff

pytestmark = pytest.mark.browser

FIELDWORKER = "fieldworker@example.com"
NOTE = "Away that week, will rebook."


@pytest.fixture
def fast_poll(app, monkeypatch):
    """Poll every second (templates read the config per render, so the live server sees it)."""
    monkeypatch.setitem(app.config, "NOTIFICATION_POLL_SECONDS", 1)


def log_in_as_fieldworker(page, base_url):
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(FIELDWORKER)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base_url}/fieldworker/jobs")
    page.wait_for_load_state()  # deferred htmx has run: the badge is polling


def a_job_the_customer_cancels():
    """The customer's latest scheduled job assigned to the fieldworker (days ahead)."""
    fran = Staff.get(Staff.email == FIELDWORKER)
    casey = Customer.get(Customer.email == "customer@example.com")
    booking = (Booking.select().join(Assignment, on=(Assignment.booking == Booking.id))
               .where((Assignment.staff == fran.id) & (Booking.customer == casey.id)
                      & (Booking.status == "scheduled"))
               .order_by(Booking.starts_at.desc()).first())
    return booking, Actor("customer", casey.id, casey.name)


def test_the_badge_updates_without_a_reload_and_clears_when_read(page, demo, fast_poll,
                                                                  screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in_as_fieldworker(page, demo)
    badge = page.locator("#notification-badge")
    expect(badge).to_have_count(1)
    expect(badge.locator(".badge-count")).to_have_count(0)
    page.evaluate("window.__marker = 'same page'")

    booking, customer = a_job_the_customer_cancels()
    cancel_booking(booking.ref, customer, channel="portal", note=NOTE)  # this process, same DB

    expect(badge).to_have_text("1 unread notification")  # within the 5 s default wait
    expect(badge.locator(".badge-count")).to_be_visible()
    assert page.evaluate("window.__marker") == "same page", "the page was reloaded"
    screenshot(page, "notifications-1-badge")

    # The badge replaces itself every second; no request loop (as "load" on it would cause).
    polls = []
    page.on("request", lambda r: polls.append(r.url) if "/notifications/badge" in r.url
            else None)
    page.wait_for_timeout(3000)  # (time.sleep would stop Playwright delivering events)
    assert 1 <= len(polls) <= 5, polls

    page.get_by_role("link", name=re.compile(r"^Notifications")).click()
    expect(page.get_by_role("heading", name=re.compile("Notifications"), level=1)).to_be_visible()
    page.wait_for_load_state()
    notice = page.locator("#notifications li").filter(has_text=booking.ref)
    expect(notice).to_contain_text(NOTE)
    expect(notice).to_have_class(re.compile(r"\bunread\b"))
    screenshot(page, "notifications-2-list")
    page.evaluate("window.__marker = 'list'")

    notice.get_by_role("button", name="Mark as read").click()
    expect(notice.get_by_role("button", name="Mark as read")).to_have_count(0)
    expect(notice).not_to_have_class(re.compile(r"\bunread\b"))
    expect(badge.locator(".badge-count")).to_have_count(0)
    expect(page.locator("#unread-heading .badge-count")).to_have_count(0)
    assert page.evaluate("window.__marker") == "list", "marking read reloaded the page"
    assert Notification.get(Notification.booking == booking.id).read_at is not None
    screenshot(page, "notifications-3-read")

    notice.get_by_role("link", name=re.compile("Open job")).click()
    expect(page).to_have_url(f"{demo}/fieldworker/jobs/{booking.ref}")
    expect(page.locator(f"#status-{booking.ref}")).to_have_text("Cancelled")
    expect(page.locator("main")).to_contain_text(NOTE)
    expect(badge.locator(".badge-count")).to_have_count(0)
