"""axe-core over every page and every open modal, for each role, on a laptop (1280x800) and a
phone (375x740): no critical and no serious violation (issue 18). The pages are the app's GET
routes (tests/support/viewport.py), so a new page is checked without anyone adding it here; the
modals are opened by clicking, as a person would, and checked while open; so are All bookings'
row menu and the session-expired notice inside an open dialog."""
import re
import time

import pytest
from playwright.sync_api import expect

from portal.accounts.sessions import LoginSession
from portal.bookings.models import Booking
from portal.integrations.models import ApiToken
from portal.kernel.clock import utcnow
from tests.support import accessibility
from tests.support.browsing import staff_log_in
from tests.support.fuzz_world import build
from tests.support.viewport import ROLES, is_login, page_urls

pytestmark = pytest.mark.browser

SCREENS = {"1280": (1280, 800), "375": (375, 740)}


def _ref(booking):
    return Booking.get_by_id(booking.id).ref  # build() renamed the world's bookings


def _extra_pages(role, world):
    """Pages beyond one per route: a booking with a refund waiting for a decision."""
    if role == "admin":
        return [f"/admin/bookings/{_ref(world.completed)}"]
    if role == "customer":
        return [f"/bookings/{_ref(world.completed)}"]
    return []


def _modals(role, world, urls):
    """(what, page, how to open it) for every dialog the role can open in the world."""
    upcoming = _ref(world.upcoming)
    main = lambda name: ("button", name)  # noqa: E731  (a button or role=button link in <main>)
    if role == "customer":
        return [("customer reschedule", f"/bookings/{upcoming}", main("Reschedule")),
                ("customer cancel", f"/bookings/{upcoming}", main("Cancel booking")),
                ("customer cancel order", urls["/orders/<ref>"], main("Cancel order"))]
    if role == "fieldworker":
        return [("fieldworker cancel", f"/fieldworker/jobs/{upcoming}", main("Cancel booking")),
                ("fieldworker status change", f"/fieldworker/jobs/{upcoming}", ("status", None))]
    if role != "admin":
        return []
    booking = f"/admin/bookings/{upcoming}"
    integration = urls["/admin/integrations/<int:integration_id>"]
    token = ApiToken.select().order_by(ApiToken.id).first()
    tokens = f"/admin/integrations/{token.integration_id}/tokens"
    return [
        ("staff cancel with fee", f"/admin/bookings/{_ref(world.soon)}", main("Cancel booking")),
        ("staff reschedule", booking, main("Reschedule")),
        ("staff edit details", booking, main("Edit details")),
        ("staff status change", booking, ("status", None)),
        ("staff cancel order", urls["/admin/orders/<ref>"], main("Cancel order")),
        ("deactivate staff", "/admin/staff", main(f"Deactivate {world.fw2.name}")),
        ("rotate secret", integration, main("Rotate secret")),
        ("revoke token", tokens, main(f"Revoke token {token.prefix}")),
    ]


def _open(page, how):
    kind, value = how
    main = page.locator("main")
    if kind == "status":
        main.locator(".edit-status select").select_option(index=1)  # the first on offer
        main.get_by_role("button", name="Continue").click()
    else:
        main.get_by_role("button", name=value, exact=True).click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    # The reschedule step: a day with free times, so the time chips are checked too.
    strip = dialog.locator(".week-strip a:not(.no-times)").first
    if strip.count():
        strip.click()
        dialog.locator(".time-chip:not(.current-slot)").first.click()  # a chosen time, too
    return dialog


def _open_row_menu(page, world):
    """All bookings' row menu, opened by clicking its button ("⋯" at 1280, "Actions" at 375)."""
    menu = page.locator(f"#row-{_ref(world.upcoming)} details.row-menu")
    menu.locator("summary").click()
    expect(menu.get_by_role("link", name="Cancel")).to_be_visible()


def _expire_in_dialog(page, world):
    """The session ends on the server while the cancel dialog is open; Cancel booking then
    puts the session-expired notice at the top of the dialog. Last for the role: it logs out."""
    dialog = _open(page, ("button", "Cancel booking"))
    dialog.get_by_label(re.compile("Cancellation note")).fill("Moving house")
    LoginSession.delete().execute()
    dialog.get_by_role("button", name="Cancel booking").click()
    notice = dialog.locator(".session-expired")
    expect(notice).to_contain_text("Your session expired")
    expect(notice).to_be_in_viewport()  # what axe weighs colours against is on screen


def _open_states(role, world):
    """(what, page, how) for open states that are not a dialog of their own."""
    if role == "admin":
        return [("row menu", "/admin/bookings", _open_row_menu)]
    if role == "customer":
        return [("session expired in the cancel", f"/bookings/{_ref(world.upcoming)}",
                 _expire_in_dialog)]
    return []


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("role", list(ROLES))
def test_no_serious_accessibility_violation_on_any_page_or_modal(browser, app, live_url,
                                                                   role, screen):
    world, tokens = build(app)
    urls = page_urls(app, world, tokens)
    width, height = SCREENS[screen]
    context = accessibility.new_context(browser)
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    found, checked, started = [], 0, time.monotonic()
    try:
        if ROLES[role]:
            staff_log_in(page, live_url, ROLES[role])
        seen = set()
        for url in [*urls.values(), *_extra_pages(role, world)]:
            # Another role's page answers with the login form or an error page: those are
            # checked once each. Asked without rendering first, the skipped ones cost little.
            answer = context.request.get(live_url + url, max_redirects=0)
            kind = "login" if is_login(answer.headers.get("location", "")) else answer.status
            if kind in seen:
                continue
            if kind == "login" or answer.status >= 400:
                seen.add(kind)
            page.goto(live_url + url)
            found += accessibility.check(page, f"{url} ({role}, {screen})")
            checked += 1
        for what, url, how in _modals(role, world, urls):
            page.goto(live_url + url)
            page.wait_for_load_state()  # htmx is ready: the button opens the modal
            dialog = _open(page, how)
            found += accessibility.check(page, f"{what} modal on {url} ({role}, {screen})")
            checked += 1
            page.keyboard.press("Escape")
            expect(dialog).to_have_count(0)
        for what, url, how in _open_states(role, world):
            page.goto(live_url + url)
            page.wait_for_load_state()
            how(page, world)
            found += accessibility.check(page, f"{what} open on {url} ({role}, {screen})")
            checked += 1
    finally:
        context.close()
    print(f"\naxe {role} {screen}: {checked} pages and modals, {accessibility.by_impact(found)}"
          f" in {time.monotonic() - started:.0f} s")
    # The role really saw its pages and modals (not a login form forty times).
    assert checked >= {"anonymous": 8, "customer": 20, "fieldworker": 15, "admin": 50}[role]
    assert accessibility.blocking(found) == [], "\n" + accessibility.report(
        accessibility.blocking(found))


# The customer's cancel modal is driven by keyboard in test_cancel_flow.py (focus goes into it,
# Escape closes it, focus returns to its link). The staff one, here.
def test_the_staff_cancel_modal_takes_focus_and_gives_it_back(page, demo):
    booking = (Booking.select().where((Booking.status == "scheduled")
                                      & (Booking.starts_at > utcnow()))
               .order_by(Booking.starts_at.desc()).first())
    staff_log_in(page, demo)
    page.goto(f"{demo}/admin/bookings/{booking.ref}")
    page.wait_for_load_state()  # htmx is ready: the link opens the modal
    opener = page.locator("main").get_by_role("button", name="Cancel booking")
    opener.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_role("heading", name="Cancel this booking?")).to_be_visible()
    expect(dialog.get_by_label("Cancellation note")).to_be_focused()
    assert page.evaluate("document.activeElement.closest('dialog[open]') !== null")
    page.keyboard.press("Escape")
    expect(page.locator("dialog")).to_have_count(0)
    expect(opener).to_be_focused()
    assert Booking.get_by_id(booking.id).status == "scheduled"
