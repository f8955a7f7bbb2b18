"""The confirm button of every long modal is in view when it opens, on a laptop and a phone,
without scrolling: the dialog's body scrolls under a sticky action bar (static/layout.css)."""
import pytest
from playwright.sync_api import expect

from portal.bookings.models import SCHEDULED, Booking, Service
from portal.integrations.models import Integration
from portal.kernel.clock import utcnow
from portal.kernel.timefmt import to_local
from portal.people import Customer
from portal.settings import Settings
from tests.support.browsing import log_in, staff_log_in
from tests.support.slots import free

pytestmark = pytest.mark.browser

SCREENS = [(1280, 800), (375, 740)]


def _casey_upcoming(service_name):
    return (Booking.select().join(Service).switch(Booking).join(Customer)
            .where((Service.name == service_name) & (Customer.email == "customer@example.com")
                   & (Booking.status == SCHEDULED) & (Booking.starts_at > utcnow())).get())


def _open(page, base, ref, button, heading):
    page.goto(f"{base}/admin/bookings/{ref}")
    page.wait_for_load_state()  # htmx is ready: the link opens the modal
    page.locator("main").get_by_role("button", name=button).click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_role("heading", name=heading)).to_be_visible()
    return dialog


def _with_times(dialog, booking):
    """Pick the day with free times, so the modal is as tall as it gets."""
    day = to_local(free(booking.service, days_ahead=7).starts_at,
                   Settings.current().timezone).date()
    dialog.get_by_label("Date").fill(day.isoformat())
    expect(dialog.locator("#reschedule-times legend")).to_contain_text(day.strftime("%A"))
    expect(dialog.locator(".time-chip").first).to_be_visible()


def assert_in_view(page, button):
    """The button's whole box is inside the window as the modal opened (a modal is fixed to
    the window: the page behind may have scrolled to the opening button, the modal may not)."""
    expect(button).to_be_visible()
    box = button.bounding_box()
    height, width = page.viewport_size["height"], page.viewport_size["width"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, (box, height)
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (box, width)
    # The modal's own body did not have to scroll either: the bar is where it opened.
    assert button.evaluate("b => b.closest('article').scrollTop") == 0


@pytest.mark.parametrize("size", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_admin_modals_keep_their_confirm_button_in_view(page, demo, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    staff_log_in(page, demo)
    regular = _casey_upcoming("Regular clean")
    linked = Booking.select().join(Integration).where(Integration.name == "ClinicPro PMS").get()

    dialog = _open(page, demo, regular.ref, "Cancel booking", "Cancel this booking?")
    expect(dialog.get_by_label("Add a cancellation fee to the invoice")).to_be_attached()
    assert_in_view(page, dialog.get_by_role("button", name="Cancel booking"))

    dialog = _open(page, demo, linked.ref, "Cancel booking", "Cancel this booking?")
    expect(dialog.get_by_role("alert")).to_contain_text("Manual update required")
    assert_in_view(page, dialog.get_by_role("button", name="Cancel booking"))

    dialog = _open(page, demo, regular.ref, "Reschedule", "Reschedule this booking")
    _with_times(dialog, regular)
    assert_in_view(page, dialog.get_by_role("button", name="Move booking"))

    dialog = _open(page, demo, regular.ref, "Edit details", f"Edit details of {regular.ref}")
    assert_in_view(page, dialog.get_by_role("button", name="Save details"))


@pytest.mark.parametrize("size", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_customer_reschedule_pop_up_keeps_move_in_view(page, demo, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    log_in(page, demo)
    booking = _casey_upcoming("Deep clean")
    page.goto(f"{demo}/bookings/{booking.ref}")
    page.wait_for_load_state()
    page.locator("main").get_by_role("button", name="Reschedule").click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_role("heading", name="Reschedule this booking")).to_be_visible()
    _with_times(dialog, booking)
    assert_in_view(page, dialog.get_by_role("button", name="Move booking"))
