"""All bookings' row menu as an admin uses it (seed 003: "click the menu at the end of the row,
click Cancel"), on a laptop and a phone, with the keyboard, and without JavaScript: the same
confirm steps as the booking page, then back on the same filtered list with the result."""
import re

import pytest
from playwright.sync_api import expect

from portal.bookings.models import SCHEDULED, Booking
from portal.kernel.clock import utcnow
from portal.people import Customer
from tests.support.browsing import staff_log_in

pytestmark = pytest.mark.browser

SCREENS = [(1280, 800), (375, 740)]


def _caseys_next():
    return (Booking.select().join(Customer)
            .where((Customer.email == "customer@example.com") & (Booking.status == SCHEDULED)
                   & (Booking.starts_at > utcnow())).order_by(Booking.starts_at).first())


def _filtered_list(page, base):
    """Upcoming bookings searched for "Casey", as an admin narrows the list."""
    page.goto(f"{base}/admin/bookings")
    page.get_by_label("Show").select_option("upcoming")
    expect(page).to_have_url(re.compile(r"view=upcoming"))
    search = page.get_by_label("Search")
    search.fill("Casey")
    search.press("Enter")  # the search is sent now, not again when focus leaves it
    expect(page).to_have_url(re.compile(r"view=upcoming.*q=Casey|q=Casey.*view=upcoming"))
    page.wait_for_load_state("networkidle")
    return page.url


def _menu(page, booking):
    return page.locator(f"#row-{booking.ref} details.row-menu")


@pytest.mark.parametrize("width,height", SCREENS)
def test_cancel_from_the_row_menu_and_land_on_the_same_list(page, demo, screenshot,
                                                             width, height):
    page.set_viewport_size({"width": width, "height": height})
    booking = _caseys_next()
    staff_log_in(page, demo)
    listed = _filtered_list(page, demo)
    menu = _menu(page, booking)
    summary = menu.locator("summary")
    expect(summary).to_have_accessible_name(re.compile(f"Actions for {booking.ref}"))
    summary.click()
    items = menu.get_by_role("link")
    expect(items).to_have_text(["Reschedule", "Cancel"])  # an upcoming visit: no no-show yet
    expect(menu.get_by_role("link", name="Cancel")).to_be_in_viewport()
    screenshot(page, f"row-menu-{width}")
    menu.get_by_role("link", name="Cancel").click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_role("heading", name="Cancel this booking?")).to_be_visible()
    expect(menu).not_to_have_attribute("open", "")  # choosing an item closed the menu
    dialog.get_by_label(re.compile("Cancellation note")).fill("Asked by phone")
    dialog.get_by_role("button", name="Cancel booking").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="Booking cancelled.")).to_be_visible()
    expect(page).to_have_url(listed)  # the same filters
    expect(page.get_by_label("Show")).to_have_value("upcoming")
    expect(page.locator(f"#row-{booking.ref}")).to_have_count(0)  # no longer upcoming
    cancelled = Booking.get_by_id(booking.id)
    assert (cancelled.status, cancelled.cancel_note) == ("cancelled", "Asked by phone")


def test_the_menu_works_from_the_keyboard(page, demo):
    booking = _caseys_next()
    staff_log_in(page, demo)
    page.goto(f"{demo}/admin/bookings")
    page.wait_for_load_state()
    menu = _menu(page, booking)
    summary = menu.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(menu.get_by_role("link", name="Reschedule")).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(summary).to_be_focused()
    # Reschedule from the menu, by keyboard, to the first free time shown.
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_role("heading", name="Reschedule this booking")).to_be_visible()
    strip = dialog.locator(".week-strip a.has-times").first
    strip.click()
    dialog.locator(".time-chip input[type=radio]").first.check()
    dialog.get_by_role("button", name="Move booking").click()
    expect(page.get_by_role("status").filter(has_text="Booking moved.")).to_be_visible()
    expect(page).to_have_url(f"{demo}/admin/bookings")
    expect(_menu(page, booking).locator("summary")).to_be_focused()  # back where they were
    assert Booking.get_by_id(booking.id).starts_at != booking.starts_at


def test_a_past_visit_offers_only_no_show(page, demo):
    past = Booking.select().where((Booking.status == SCHEDULED)
                                  & (Booking.ends_at < utcnow())).first()
    staff_log_in(page, demo)
    page.goto(f"{demo}/admin/bookings?view=past")
    menu = _menu(page, past)
    menu.locator("summary").click()
    expect(menu.get_by_role("link")).to_have_text(["Mark no-show"])
    menu.get_by_role("link", name="Mark no-show").click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_role("heading", name="Mark this booking as no-show?")).to_be_visible()
    dialog.get_by_role("button", name="Mark as no-show").click()
    expect(page.get_by_role("status").filter(has_text="Booking marked as no-show.")
           ).to_be_visible()
    expect(page).to_have_url(f"{demo}/admin/bookings?view=past")
    expect(page.locator(f"#row-{past.ref} .badge")).to_have_text("No-show")
    expect(_menu(page, past)).to_have_count(0)  # nothing left to do from the row


def test_without_javascript_the_menu_is_links_to_the_confirm_pages(nojs_page, demo):
    page, booking = nojs_page, _caseys_next()
    staff_log_in(page, demo)
    page.goto(f"{demo}/admin/bookings?view=upcoming&q=Casey")
    menu = _menu(page, booking)
    menu.locator("summary").click()  # a <details> opens without JavaScript
    menu.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(rf"/admin/bookings/{booking.ref}/cancel\?next="))
    expect(page.get_by_role("heading", name="Cancel this booking?")).to_be_visible()
    page.get_by_role("button", name="Cancel booking").click()
    expect(page).to_have_url(f"{demo}/admin/bookings?view=upcoming&q=Casey")
    expect(page.get_by_role("status").filter(has_text="Booking cancelled.")).to_be_visible()
    assert Booking.get_by_id(booking.id).status == "cancelled"
