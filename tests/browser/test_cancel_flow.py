"""The customer cancel flow in a real browser: the htmx modal, the keyboard, no JavaScript."""
import pytest
from playwright.sync_api import expect

from portal.bookings.models import Booking
from tests.support.browsing import log_in, open_booking

pytestmark = pytest.mark.browser

NOTE = "Going away that week, sorry!"
IN_DIALOG = "() => !!(document.activeElement && document.activeElement.closest('dialog'))"


def badge(page, ref):
    return page.locator(f"#status-{ref}")


def cancel_link(page):
    return page.locator("main").get_by_role("button", name="Cancel booking")


def booking(ref):
    return Booking.get(Booking.ref == ref)


def test_cancel_in_the_modal_without_a_reload(page, demo, screenshot):
    log_in(page, demo)
    expect(page.locator("#booking-list [aria-current=page]")).to_have_text("Upcoming")
    screenshot(page, "1-bookings-list")
    ref = open_booking(page, "Regular clean")
    expect(badge(page, ref)).to_have_text("Scheduled")
    screenshot(page, "2-booking-page")

    page.evaluate("window.__marker = 1")
    cancel_link(page).click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    assert dialog.evaluate("d => d.matches(':modal')"), "opened without showModal()"
    expect(dialog.get_by_role("heading", name="Cancel this booking?")).to_be_visible()
    summary = dialog.locator("dl.summary")
    for fact in ("Regular clean", "12 Maple Street, Springfield", "Fran Fieldworker"):
        expect(summary).to_contain_text(fact)
    expect(dialog).to_contain_text("This action cannot be undone.")
    counter = dialog.locator("#cancel-note-count")
    expect(counter).to_have_text("0 / 255 characters")

    note = dialog.get_by_label("Cancellation note")
    expect(note).to_be_focused()
    note.press_sequentially(NOTE)
    expect(counter).to_have_text(f"{len(NOTE)} / 255 characters")
    screenshot(page, "3-cancel-modal")
    dialog.get_by_role("button", name="Cancel booking").click()

    expect(badge(page, ref)).to_have_text("Cancelled")
    expect(page.locator("dialog")).to_have_count(0)
    expect(page.get_by_role("button", name="Schedule an appointment")).to_be_visible()
    expect(page.locator("main")).to_contain_text(NOTE)
    expect(page.get_by_role("status")).to_contain_text("Your booking is cancelled.")
    expect(page.get_by_role("heading", name="Regular clean", level=1)).to_be_focused()
    assert page.evaluate("window.__marker") == 1, "the page reloaded"
    screenshot(page, "4-cancelled-booking")

    cancelled = booking(ref)
    assert cancelled.status == "cancelled"
    assert cancelled.cancel_note == NOTE
    assert cancelled.cancel_channel == "portal"

    page.reload()
    expect(badge(page, ref)).to_have_text("Cancelled")
    expect(page.get_by_role("button", name="Schedule an appointment")).to_be_visible()
    assert page.evaluate("window.__marker") is None


def test_modal_by_keyboard_only(page, demo):
    log_in(page, demo)
    ref = open_booking(page, "Regular clean")
    link = cancel_link(page)

    for _ in range(30):
        if link.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(link).to_be_focused()

    page.keyboard.press("Enter")
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Cancellation note")).to_be_focused()
    seen = set()
    for _ in range(8):
        page.keyboard.press("Tab")
        assert page.evaluate(IN_DIALOG), "Tab left the dialog"
        seen.add(page.evaluate("document.activeElement.textContent.trim() || "
                               "document.activeElement.id"))
    assert {"Keep booking", "Cancel booking", "cancel-note"} <= seen, seen

    page.keyboard.press("Escape")
    expect(page.locator("dialog")).to_have_count(0)
    expect(link).to_be_focused()
    expect(badge(page, ref)).to_have_text("Scheduled")
    assert booking(ref).status == "scheduled"

    # Again, leaving with "Keep booking" this time.
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    keep = dialog.get_by_role("button", name="Keep booking")
    for _ in range(8):
        if keep.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(keep).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("dialog")).to_have_count(0)
    expect(link).to_be_focused()
    expect(page).to_have_url(f"{demo}/bookings/{ref}")
    expect(badge(page, ref)).to_have_text("Scheduled")
    fresh = booking(ref)
    assert (fresh.status, fresh.version, fresh.cancel_note) == ("scheduled", 1, None)


def test_cancel_without_javascript(nojs_page, demo, screenshot):
    page = nojs_page
    log_in(page, demo)
    ref = open_booking(page, "Regular clean")

    cancel_link(page).click()
    expect(page).to_have_url(f"{demo}/bookings/{ref}/cancel")
    expect(page.locator("dialog")).to_have_count(0)
    expect(page.get_by_role("heading", name="Cancel this booking?", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("This action cannot be undone.")
    screenshot(page, "5-cancel-page-nojs")
    page.get_by_label("Cancellation note").fill(NOTE)
    page.get_by_role("button", name="Cancel booking").click()

    expect(page).to_have_url(f"{demo}/bookings/{ref}")
    expect(badge(page, ref)).to_have_text("Cancelled")
    expect(page.get_by_role("status")).to_contain_text("Your booking is cancelled.")
    expect(page.get_by_role("button", name="Schedule an appointment")).to_be_visible()
    cancelled = booking(ref)
    assert (cancelled.status, cancelled.cancel_note) == ("cancelled", NOTE)


def test_refused_cancel_is_explained(page, demo, screenshot):
    log_in(page, demo)
    page.locator("#booking-list").get_by_role("link", name="Past").click()
    expect(page).to_have_url(f"{demo}/bookings?show=past")
    ref = open_booking(page, "Regular clean", status="Scheduled")

    button = page.locator("main").get_by_role("button", name="Cancel booking")
    expect(button).to_be_disabled()
    why = "The appointment time has passed, so it can't be cancelled online."
    expect(page.locator("#cancel-why")).to_have_text(why)
    expect(button).to_have_accessible_description(why)
    expect(page.locator(f"a[href$='/bookings/{ref}/cancel']")).to_have_count(0)
    screenshot(page, "6-refused-booking")
    assert booking(ref).status == "scheduled"
