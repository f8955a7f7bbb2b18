"""Feedback while a request runs, and a session that ends while a dialog is open (issue 18,
items 12 and 9), as an admin clicks; static files come from the browser's cache."""
import logging
import re

import pytest
from playwright.sync_api import expect

from portal.accounts.sessions import LoginSession
from portal.bookings.models import SCHEDULED, Booking
from portal.kernel.clock import utcnow
from tests.support.browsing import ADMIN, staff_log_in

pytestmark = pytest.mark.browser

NOTE = "Customer rang: moving house, will rebook in May"


def _next_booking():
    return (Booking.select().where((Booking.status == SCHEDULED) & (Booking.starts_at > utcnow()))
            .order_by(Booking.starts_at).first())


def _cancel_dialog(page, base, booking):
    page.goto(f"{base}/admin/bookings/{booking.ref}")
    page.wait_for_load_state()
    page.locator("main").get_by_role("button", name="Cancel booking").click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_role("heading", name="Cancel this booking?")).to_be_visible()
    return dialog


def _held(page, pattern):
    """Requests matching `pattern` wait until the test lets them go (no timing involved)."""
    held = []
    page.route(pattern, lambda route: held.append(route))
    return held


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_the_pressed_button_shows_it_is_working_and_cannot_be_pressed_twice(page, demo, motion):
    page.emulate_media(reduced_motion=motion)
    booking = _next_booking()
    staff_log_in(page, demo)
    dialog = _cancel_dialog(page, demo, booking)
    held = _held(page, re.compile(r".*/cancel$"))
    button = dialog.get_by_role("button", name="Cancel booking")
    button.click()
    expect(button).to_have_attribute("aria-busy", "true")
    expect(button).to_be_disabled()
    spinner = button.evaluate("b => getComputedStyle(b, '::before').content")
    image = button.evaluate("b => getComputedStyle(b, '::before').backgroundImage")
    if motion == "reduce":  # a word, not a turning image
        assert spinner == '"Working…"' and image == "none"
    else:
        assert image.startswith("url(")
    assert len(held) == 1
    held[0].continue_()
    expect(page.get_by_role("status").filter(has_text="Booking cancelled.")).to_be_visible()
    assert Booking.get_by_id(booking.id).status == "cancelled"


def test_opening_a_dialog_marks_the_link_busy(page, demo):
    booking = _next_booking()
    staff_log_in(page, demo)
    page.goto(f"{demo}/admin/bookings/{booking.ref}")
    page.wait_for_load_state()
    held = _held(page, re.compile(r".*/reschedule$"))
    link = page.locator("main").get_by_role("button", name="Reschedule")
    link.click()
    expect(link).to_have_attribute("aria-busy", "true")
    expect(link).to_have_attribute("aria-disabled", "true")
    held[0].continue_()
    expect(page.locator("dialog[open]").get_by_role("heading", name="Reschedule this booking")
           ).to_be_visible()
    expect(link).not_to_have_attribute("aria-busy", "true")


def test_an_expired_session_keeps_the_note_and_sends_it_after_logging_in(page, demo):
    booking = _next_booking()
    staff_log_in(page, demo)
    dialog = _cancel_dialog(page, demo, booking)
    dialog.get_by_label(re.compile("Cancellation note")).fill(NOTE)
    LoginSession.delete().execute()  # the session ends on the server (timed out)
    dialog.get_by_role("button", name="Cancel booking").click()
    notice = dialog.locator(".session-expired")
    expect(notice).to_contain_text("Your session expired — log in again; what you typed is kept.")
    expect(page).to_have_url(f"{demo}/admin/bookings/{booking.ref}")  # not the login page
    expect(dialog.get_by_label(re.compile("Cancellation note"))).to_have_value(NOTE)
    assert Booking.get_by_id(booking.id).status == SCHEDULED

    with page.context.expect_page() as opened:
        notice.get_by_role("link", name=re.compile("Log in again")).click()
    login_tab = opened.value
    login_tab.get_by_label("Email").fill(ADMIN)
    login_tab.get_by_label("Password").fill("demo")
    login_tab.get_by_role("button", name="Log in").click()
    expect(login_tab).to_have_url(f"{demo}/admin/bookings/{booking.ref}")
    login_tab.close()

    dialog.get_by_role("button", name="Cancel booking").click()  # the same button, again
    expect(page.get_by_role("status").filter(has_text="Booking cancelled.")).to_be_visible()
    cancelled = Booking.get_by_id(booking.id)
    assert (cancelled.status, cancelled.cancel_note) == ("cancelled", NOTE)


def test_a_date_change_after_expiry_says_so_in_the_picker(page, demo):
    booking = _next_booking()
    staff_log_in(page, demo)
    page.goto(f"{demo}/admin/bookings/{booking.ref}")
    page.wait_for_load_state()
    page.locator("main").get_by_role("button", name="Reschedule").click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_role("heading", name="Reschedule this booking")).to_be_visible()
    LoginSession.delete().execute()
    dialog.locator(".week-strip a").last.click()
    expect(dialog.locator(".session-expired")).to_contain_text("Your session expired")
    expect(page).to_have_url(f"{demo}/admin/bookings/{booking.ref}")
    expect(dialog.get_by_role("heading", name="Reschedule this booking")).to_be_visible()


def test_without_javascript_the_typed_note_comes_back(nojs_page, demo):
    page, booking = nojs_page, _next_booking()
    staff_log_in(page, demo)
    page.goto(f"{demo}/admin/bookings/{booking.ref}/cancel")
    page.get_by_label(re.compile("Cancellation note")).fill(NOTE)
    LoginSession.delete().execute()
    page.get_by_role("button", name="Cancel booking").click()
    expect(page.get_by_role("heading", name="Your session expired", level=1)).to_be_visible()
    expect(page.get_by_label("Your note")).to_have_value(NOTE)
    login = page.get_by_role("link", name=re.compile("Log in again"))
    expect(login).to_have_attribute("href", re.compile(r"/login\?next="))
    with page.context.expect_page() as opened:
        login.click()
    login_tab = opened.value
    login_tab.get_by_label("Email").fill(ADMIN)
    login_tab.get_by_label("Password").fill("demo")
    login_tab.get_by_role("button", name="Log in").click()
    expect(login_tab).to_have_url(f"{demo}/admin/bookings/{booking.ref}/cancel")
    login_tab.close()
    page.get_by_role("button", name="Send again").click()
    expect(page.get_by_role("status").filter(has_text="Booking cancelled.")).to_be_visible()
    assert Booking.get_by_id(booking.id).cancel_note == NOTE


def test_static_files_are_not_asked_for_again_on_the_next_page(page, demo, caplog):
    staff_log_in(page, demo)
    page.goto(f"{demo}/admin/bookings")
    page.wait_for_load_state()
    caplog.set_level(logging.INFO, logger="werkzeug")
    caplog.clear()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_load_state()
    asked = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("GET /admin/today" in line for line in asked)  # the log does see requests
    assert not [line for line in asked if "/static/" in line], asked
