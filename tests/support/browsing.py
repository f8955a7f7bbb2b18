"""Steps the browser tests share: logging in as a customer or staff, opening a booking."""
import re

from playwright.sync_api import expect

CUSTOMER = "customer@example.com"
ADMIN = "admin@example.com"


TIMEOUT_MS = 5000  # every wait fails fast; a working step takes well under a second


def new_context(browser, **options):
    """A browser context as the browser tests use them: 1024x768, waits that fail fast."""
    context = browser.new_context(viewport={"width": 1024, "height": 768}, **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


def log_in(page, base_url, email=CUSTOMER, password="demo"):
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base_url}/bookings")
    expect(page.get_by_role("heading", name="My bookings", level=1)).to_be_visible()
    page.wait_for_load_state()


def open_booking(page, service, status="Scheduled"):
    """Click the row in the current list for `service` with `status`; returns its ref."""
    row = page.locator("#booking-list a.booking-row").filter(has_text=service) \
        .filter(has=page.locator(".badge", has_text=status))
    expect(row).to_have_count(1)
    row.click()
    expect(page).to_have_url(re.compile(r"/bookings/BK-[A-Z0-9]{6}$"))
    expect(page.get_by_role("heading", name=service, level=1)).to_be_visible()
    page.wait_for_load_state()  # deferred htmx and app.js have run: clicks go through htmx
    return page.url.rsplit("/", 1)[1]


def staff_log_in(page, base_url, email=ADMIN):
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name=re.compile("Log out"))).to_be_visible()
