"""Admin > Activity in a real browser: a filter swaps the table in place and the address bar
gets the short URL of what is shown; a reference narrows it to one booking."""
import re

import pytest
from playwright.sync_api import expect

from portal.audit import AuditEvent
from portal.bookings.models import Booking
from portal.bookings.services import cancel_booking
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.people import Staff
from tests.support.browsing import staff_log_in

pytestmark = pytest.mark.browser


def test_filters_swap_the_table_and_push_the_url(page, demo, screenshot):
    admin = Staff.get(Staff.email == "admin@example.com")
    booking = Booking.select().where((Booking.status == "scheduled")
                                     & (Booking.starts_at > utcnow())).first()
    cancel_booking(booking.ref, Actor("admin", admin.id, admin.name), channel="admin",
                   note="Moved away")
    total = AuditEvent.select().count()
    staff_log_in(page, demo)
    page.goto(f"{demo}/admin/activity")
    table = page.locator("#activity-table")
    expect(table.get_by_role("status")).to_contain_text(f"of {total} events")
    page.evaluate("window.__marker = 1")  # gone if anything reloads the page

    page.get_by_label("What").select_option(label="Cancelled")
    expect(page).to_have_url(re.compile(r"/admin/activity\?action=cancelled$"))
    rows = table.locator("tbody tr")
    expect(rows.first).to_contain_text("Cancelled")
    assert all("Cancelled" in text for text in rows.all_inner_texts())

    page.get_by_label("Booking or order").fill(booking.ref.lower())
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Moved away")
    expect(page).to_have_url(re.compile(rf"q={booking.ref}"))
    screenshot(page, "activity-filtered")
    assert page.evaluate("window.__marker") == 1

    rows.first.get_by_role("link", name=booking.ref).click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
