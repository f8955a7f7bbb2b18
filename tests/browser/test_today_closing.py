"""Closing a job in place from Today: Mark completed / No-show open the confirm step over Today
and the admin stays on the same day, week and fieldworker; without JavaScript the confirm page
sends them back there."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from portal.bookings.models import SCHEDULED, Assignment, Booking
from portal.kernel.clock import utcnow
from portal.people import Staff
from tests.support.browsing import staff_log_in

pytestmark = pytest.mark.browser

SCREENS = [(1280, 800), (375, 740)]


def _open_jobs():
    return list(Booking.select().where((Booking.status == SCHEDULED)
                                       & (Booking.ends_at < utcnow())).order_by(Booking.id))


def _worker_of(booking):
    return Staff.get_by_id(Assignment.get(Assignment.booking == booking).staff_id)


def _args(url):
    return parse_qs(urlsplit(url).query)


def _job(page, booking):
    return page.locator("section.needs-closing .agenda-item", has=page.locator(
        f'a[href="/admin/bookings/{booking.ref}"]'))


@pytest.mark.parametrize("width,height", SCREENS)
def test_closing_a_job_keeps_the_admin_on_today(page, demo, screenshot, width, height):
    page.set_viewport_size({"width": width, "height": height})
    job = _open_jobs()[0]
    worker = _worker_of(job)
    staff_log_in(page, demo)
    page.get_by_role("link", name="Week", exact=True).click()
    page.get_by_label("Fieldworker", exact=True).select_option(label=worker.name)
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(rf"fieldworker={worker.id}"))
    page.wait_for_load_state()
    here = page.url
    screenshot(page, f"today-{width}")
    _job(page, job).get_by_role("button", name=re.compile("Mark completed")).click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_role("heading", name="Mark this booking as completed?")).to_be_visible()
    dialog.get_by_label(re.compile("Note")).fill("Done, gate locked after")
    dialog.get_by_role("button", name="Mark as completed").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="Booking marked as completed.")
           ).to_be_visible()
    expect(page).to_have_url(re.compile(r"/admin/today\?"))
    assert _args(page.url) == _args(here)  # same day, week view, same fieldworker
    expect(page.get_by_role("heading", level=1)).to_contain_text("Week of")
    expect(page.get_by_label("Fieldworker", exact=True)).to_have_value(str(worker.id))
    expect(_job(page, job)).to_have_count(0)  # gone from "Needs closing", in place
    screenshot(page, f"today-after-{width}")
    assert Booking.get_by_id(job.id).status == "completed"


def test_without_javascript_the_confirm_page_returns_to_today(nojs_page, demo):
    page, job = nojs_page, _open_jobs()[0]
    staff_log_in(page, demo)
    page.goto(f"{demo}/admin/today?span=week")
    here = page.url
    _job(page, job).get_by_role("button", name=re.compile("No-show")).click()
    expect(page).to_have_url(re.compile(rf"/admin/bookings/{job.ref}/status\?.*next="))
    page.get_by_role("button", name="Mark as no-show").click()
    expect(page).to_have_url(re.compile(re.escape(f"{demo}/admin/today?day=") + r".*span=week"))
    expect(page.get_by_role("status").filter(has_text="Booking marked as no-show.")
           ).to_be_visible()
    expect(_job(page, job)).to_have_count(0)
    assert here.startswith(f"{demo}/admin/today")
    assert Booking.get_by_id(job.id).status == "no_show"
