"""Every page, for each role, at 320 and 375 px wide: no element reaches past the viewport's
right edge (issue 18). The pages are the app's GET routes (tests/support/viewport.py), so a new
page is measured without anyone adding it here."""
import re

import pytest
from playwright.sync_api import expect

from tests.support.browsing import new_context, staff_log_in
from tests.support.fuzz_world import build
from tests.support.viewport import ROLES, is_login, page_urls, too_wide


@pytest.fixture
def site(app, live_url):
    world, tokens = build(app)
    return live_url, page_urls(app, world, tokens)


def _log_in(page, base, email):
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name=re.compile("Log out"))).to_be_visible()


@pytest.mark.parametrize("width", [320, 375])
@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_is_wider_than_a_phone(browser, site, role, width):
    base, urls = site
    context = new_context(browser)
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 740})
    try:
        if ROLES[role]:
            _log_in(page, base, ROLES[role])
        wide, served = {}, 0
        for rule, url in urls.items():
            response = page.goto(base + url)
            if is_login(page.url) and role != "anonymous":
                continue
            served += response.status < 400
            page.wait_for_load_state()
            measured = too_wide(page)
            if measured["found"] or measured["scroll"] > measured["width"]:
                wide[rule] = measured
        # The role really saw its pages (not a login form 40 times).
        assert served >= {"anonymous": 5, "customer": 10, "fieldworker": 5,
                          "admin": 30}[role], served
        assert wide == {}, "\n".join(f"{rule}: {m}" for rule, m in wide.items())
    finally:
        context.close()


def test_all_bookings_fits_a_laptop_and_shows_every_column_on_a_phone(page, demo):
    staff_log_in(page, demo)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{demo}/admin/bookings")
    table = page.locator("#bookings-table table")
    # At 1280 the whole table is inside its box: the Cancellation column is not scrolled off.
    assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth"), \
        table.evaluate("t => [t.scrollWidth, t.parentElement.clientWidth]")
    expect(page.get_by_role("columnheader", name="Cancellation")).to_be_in_viewport()

    page.set_viewport_size({"width": 375, "height": 740})
    row = page.locator("tr.is-cancelled").first
    row.scroll_into_view_if_needed()
    for label in ("Reference", "When", "Customer", "Service", "Fieldworkers", "Status",
                  "Cancellation"):
        cell = row.locator(f'td[data-label="{label}"]')
        expect(cell).to_be_visible()
        box, width = cell.bounding_box(), page.viewport_size["width"]
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (label, box)
    expect(row.locator('td[data-label="Cancellation"]')).to_contain_text("“")  # the note
