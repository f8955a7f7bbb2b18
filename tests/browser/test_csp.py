"""The Content-Security-Policy in a real browser: the main htmx flows work under it with zero
violations, the watch really sees a violation, another port cannot frame the admin pages, and a
signed link's token never leaves in a Referer."""
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from portal.bookings.availability import free_slots
from portal.bookings.links import make_token
from portal.bookings.models import Assignment, Booking, Service
from portal.bookings.services import cancel_booking
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.kernel.timefmt import to_local
from portal.people import Customer, Staff
from portal.settings import Settings

pytestmark = pytest.mark.browser

# Every violation the page sees, reported to Python as it happens (the binding outlives
# navigations; a list kept in the page would not).
WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolation(e.effectiveDirective + " " + (e.blockedURI || "inline") + " on " +
                        e.documentURI);
});
"""


@pytest.fixture
def violations(page):
    """What the policy refused on this page: securitypolicyviolation events and the console's
    "Refused to ..." lines (the latter also catch frame-ancestors, which fire no event here)."""
    seen = {"events": [], "console": []}
    page.context.expose_binding("__cspViolation", lambda source, text: seen["events"].append(text))
    page.context.add_init_script(WATCH)
    page.on("console", lambda m: seen["console"].append(m.text)
            if "Content Security Policy" in m.text else None)
    return seen


def log_in(page, base_url, email, lands_on):
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base_url}{lands_on}")
    page.wait_for_load_state()  # deferred htmx and app.js have run


def a_free_day(service):
    """A local day with free starts for `service`, a week or more ahead, and its first start."""
    settings = Settings.current()
    day = to_local(utcnow(), settings.timezone).date() + timedelta(days=7)
    for _ in range(14):
        slots = free_slots(service, day, day, settings=settings, now=utcnow())
        if slots:
            return day, slots[0]
        day += timedelta(days=1)
    raise AssertionError("no free starts in two weeks")


def no_violations(seen):
    assert seen == {"events": [], "console": []}


def test_the_watch_sees_inline_code_refused(page, demo, violations):
    """The control: inline style and script put into a page are refused and reported."""
    page.goto(f"{demo}/login")
    page.wait_for_load_state()
    page.evaluate("""() => {
        document.body.insertAdjacentHTML('beforeend', '<p id="red" style="color: red">x</p>');
        const s = document.createElement('script');
        s.textContent = 'window.__ran = true';
        document.body.appendChild(s);
    }""")
    expect(page.locator("#red")).to_have_count(1)
    assert page.evaluate("getComputedStyle(document.getElementById('red')).color") \
        != "rgb(255, 0, 0)"
    assert page.evaluate("window.__ran === undefined")
    page.wait_for_timeout(200)  # the events are queued as tasks
    kinds = sorted(v.split()[0] for v in violations["events"])
    assert kinds == ["script-src-elem", "style-src-attr"], violations
    assert len(violations["console"]) == 2, violations


def test_customer_cancel_modal_and_reschedule_work_under_the_policy(page, demo, violations):
    casey = Customer.get(Customer.email == "customer@example.com")
    booking = (Booking.select().join(Service)
               .where((Booking.customer == casey.id) & (Booking.status == "scheduled")
                      & (Service.name == "Deep clean") & (Booking.starts_at > utcnow())).get())
    log_in(page, demo, casey.email, "/bookings")
    page.goto(f"{demo}/bookings/{booking.ref}")
    page.wait_for_load_state()
    page.evaluate("window.__marker = 1")  # gone if anything reloads the page

    # The cancel confirm opens as a modal fragment (htmx) and closes again.
    page.locator("main").get_by_role("button", name="Cancel booking").click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_label("Cancellation note")).to_be_focused()
    dialog.get_by_label("Cancellation note").fill("abc")
    expect(dialog.locator("#cancel-note-count")).to_have_text("3 / 255 characters")  # app.js
    dialog.get_by_role("button", name="Keep booking").click()
    expect(page.locator("dialog[open]")).to_have_count(0)

    # Reschedule: choosing a date swaps the free times in place; the move lands in the card.
    day, slot = a_free_day(booking.service)
    page.locator("main").get_by_role("button", name="Reschedule").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Date").fill(day.isoformat())  # "change": htmx swaps the times
    expect(dialog.locator("#reschedule-times legend")).to_contain_text(
        day.strftime("%A %-d %B %Y"))
    tz = Settings.current().timezone
    dialog.get_by_label(to_local(slot.starts_at, tz).strftime("%-I:%M %p"), exact=True).check()
    dialog.get_by_role("button", name="Move booking").click()
    expect(page.locator(f"#booking-{booking.ref}")).to_contain_text("Your booking is moved")
    assert page.evaluate("window.__marker") == 1, "the page reloaded"
    assert Booking.get_by_id(booking.id).starts_at == slot.starts_at
    no_violations(violations)


def test_admin_list_filter_reports_and_email_preview_work_under_the_policy(page, demo,
                                                                           violations):
    log_in(page, demo, "admin@example.com", "/admin/today")  # an admin lands on Today
    page.goto(f"{demo}/admin/bookings")
    page.wait_for_load_state()
    page.evaluate("window.__marker = 1")
    page.get_by_label("Show").select_option("cancelled")  # htmx swaps the table
    expect(page).to_have_url(re.compile(r"view=cancelled"))
    expect(page.locator("#bookings-table tbody tr").first).to_contain_text("Cancelled")
    assert page.evaluate("window.__marker") == 1, "the page reloaded"

    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Cancellations", level=1)).to_be_visible()
    page.wait_for_load_state()
    chart = page.get_by_role("img", name=re.compile("Cancellation rate by week"))
    expect(chart).to_be_visible()
    # The charts' colours come from app.css classes: a bar is filled, not black by default.
    bar_fill = page.locator(".chart-bar").first.evaluate("e => getComputedStyle(e).fill")
    assert bar_fill not in ("", "rgb(0, 0, 0)"), bar_fill
    page.evaluate("window.__marker = 2")
    page.get_by_label("Period", exact=True).select_option(label="Last 90 days")
    expect(page).to_have_url(re.compile(r"preset=90d"))
    assert page.evaluate("window.__marker") == 2, "the page reloaded"

    # An email as sent, in its sandboxed frame: its own inline styles apply there.
    booking = Booking.select().where((Booking.status == "scheduled")
                                     & (Booking.starts_at > utcnow())).first()
    cancel_booking(booking.ref, Actor("customer", booking.customer_id, "Casey"),
                   channel="portal", note="Away")  # queues the customer's email
    page.get_by_role("link", name="Emails").click()
    page.locator("main table a").first.click()
    frame = page.frame_locator("iframe.email-frame")
    expect(frame.locator("body")).not_to_be_empty()
    padding = frame.locator("body").evaluate("b => getComputedStyle(b).paddingTop")
    assert padding == "16px", padding  # from the email's style="... padding: 16px"
    no_violations(violations)


def test_the_notifications_badge_polls_under_the_policy(page, demo, app, monkeypatch,
                                                        violations):
    monkeypatch.setitem(app.config, "NOTIFICATION_POLL_SECONDS", 1)
    log_in(page, demo, "fieldworker@example.com", "/fieldworker/jobs")
    badge = page.locator("#notification-badge")
    expect(badge.locator(".badge-count")).to_have_count(0)
    fran = Staff.get(Staff.email == "fieldworker@example.com")
    booking = (Booking.select().join(Assignment, on=(Assignment.booking == Booking.id))
               .where((Assignment.staff == fran.id) & (Booking.status == "scheduled")
                      & (Booking.starts_at > utcnow())).first())
    customer = booking.customer
    cancel_booking(booking.ref, Actor("customer", customer.id, customer.name), channel="portal",
                   note="Away")
    expect(badge).to_have_text("1 unread notification")  # the poll swapped it in
    no_violations(violations)


class _Framer(BaseHTTPRequestHandler):
    """Another site on the same host: a page that frames `target`, and a page of its own."""
    target = ""

    def do_GET(self):
        if self.path == "/own":
            body = b"<!doctype html><title>own</title><h1 id='own'>Framer's own page</h1>"
        else:
            body = (f"<!doctype html><title>framer</title>"
                    f"<iframe id='victim' src='{self.target}'></iframe>"
                    f"<iframe id='control' src='/own'></iframe>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def framer(demo):
    """A page on another loopback port that frames the admin bookings page."""
    handler = type("Framer", (_Framer,), {"target": f"{demo}/admin/bookings"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def test_another_port_cannot_frame_the_admin_pages(page, demo, framer, violations):
    log_in(page, demo, "admin@example.com", "/admin/today")  # the session cookie is there
    page.goto(f"{framer}/")
    # The control frame loads: frames work here, so a blank victim frame is the policy's doing.
    expect(page.frame_locator("#control").locator("#own")).to_have_text("Framer's own page")
    victim = page.frame_locator("#victim")
    expect(victim.locator("body")).to_be_attached()
    page.wait_for_timeout(300)
    frame = page.locator("#victim").element_handle().content_frame()
    assert frame is None or frame.url != f"{demo}/admin/bookings", frame.url
    expect(victim.get_by_role("heading", name=re.compile("bookings", re.I))).to_have_count(0)
    expect(victim.locator("#bookings-table")).to_have_count(0)
    assert any("frame-ancestors" in line for line in violations["console"]), violations


def test_a_signed_link_never_sends_its_token_in_a_referer(page, demo, app):
    booking = Booking.select().where((Booking.status == "scheduled")
                                     & (Booking.starts_at > utcnow())).first()
    token = make_token(app.config["SECRET_KEY"], "view", booking)
    referers = []
    page.on("request", lambda r: referers.append(r.headers.get("referer")))
    page.goto(f"{demo}/l/{token}")
    expect(page.get_by_text(booking.ref).first).to_be_visible()
    page.wait_for_load_state()
    sent = [r for r in referers if r is not None]
    assert sent, "the page loads its styles and scripts with a Referer"
    assert set(sent) == {f"{demo}/"}, sent  # the origin only
