"""Admin › Today as an admin uses it: land on it, step through days and the week, narrow to one
fieldworker, and close yesterday's job that is still Scheduled."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.bookings.models import SCHEDULED, Booking
from portal.kernel.clock import utcnow
from portal.kernel.timefmt import to_local
from portal.settings import Settings
from tests.support.browsing import staff_log_in

pytestmark = pytest.mark.browser


def test_an_admin_works_through_today_and_closes_yesterdays_job(page, demo):
    open_job = Booking.get((Booking.status == SCHEDULED) & (Booking.ends_at < utcnow()))
    today = to_local(utcnow(), Settings.current().timezone).date()
    staff_log_in(page, demo)
    expect(page).to_have_url(f"{demo}/admin/today")
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link").nth(1)).to_have_text("Today")  # after the business's name

    page.get_by_role("link", name="Next day →").click()
    tomorrow = today + timedelta(days=1)
    expect(page.get_by_role("heading", level=1)).to_have_text(tomorrow.strftime("%a %-d %b %Y"))
    page.get_by_role("link", name="Week", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Week of")
    expect(page.locator("section.agenda-section h2[id^=day-]")).to_have_count(7)
    page.get_by_role("link", name="Day", exact=True).click()
    page.get_by_role("navigation", name="Days").get_by_role("link", name="Today").click()
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()

    # Sam has none of the open jobs: the filter hides yesterday's, which is Fran's.
    page.get_by_label("Fieldworker", exact=True).select_option(label="Sam Rivera")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(r"fieldworker=\d+"))
    expect(page.get_by_role("heading", name=re.compile("Needs closing"))).to_have_count(0)
    page.get_by_label("Fieldworker", exact=True).select_option(label="All fieldworkers")
    page.get_by_role("button", name="Show", exact=True).click()

    closing = page.locator("section.needs-closing")
    expect(closing.get_by_role("heading", name=re.compile("Needs closing"))).to_be_visible()
    job = closing.locator(".agenda-item", has=page.locator(
        f'a[href="/admin/bookings/{open_job.ref}"]'))
    expect(job.get_by_text("Needs closing")).to_be_visible()
    job.get_by_role("button", name=re.compile("Mark completed")).click()
    expect(page.get_by_role("heading", name="Mark this booking as completed?")).to_be_visible()
    page.get_by_role("button", name="Mark as completed").click()
    expect(page.get_by_role("status")).to_contain_text("Booking marked as completed.")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    expect(page.locator("section.needs-closing")).to_have_count(0)
    assert Booking.get_by_id(open_job.id).status == "completed"
