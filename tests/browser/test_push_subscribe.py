"""The notifications page's push button in Chromium.

What headless Chromium can show: the button registers the service worker at /static/push-sw.js
for the staff pages' scope (/fieldworker/, allowed by the Service-Worker-Allowed header) under
the page's unchanged CSP, and the page then says where push stands. It cannot show a real
subscription: PushManager.subscribe needs notification permission, which headless Chromium
refuses without asking (and granting it would make Chromium contact Google's push service, off
this machine). So the test checks the refusal is explained, and the delivery side is proven
with a loopback push service in tests/web/test_push_delivery.py. Without JavaScript the page
says push isn't available and the list still works."""
import pytest
from playwright.sync_api import expect

from tests.support.browsing import staff_log_in

pytestmark = pytest.mark.browser

FIELDWORKER = "fieldworker@example.com"
REGISTRATION = """async () => {
  const r = await navigator.serviceWorker.getRegistration('/fieldworker/');
  if (!r) return null;
  const worker = r.active || r.waiting || r.installing;
  return {scope: r.scope, script: worker && worker.scriptURL};
}"""


def test_the_button_registers_the_service_worker_and_says_where_push_stands(page, demo):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    staff_log_in(page, demo, FIELDWORKER)
    page.goto(f"{demo}/fieldworker/notifications")
    page.wait_for_load_state()
    section = page.locator("#push")
    button = section.get_by_role("button", name="Turn on push notifications")
    expect(button).to_be_visible()
    expect(section.locator("#push-state")).to_have_text(
        "Push notifications are off for this device.")
    assert page.evaluate(REGISTRATION) is None  # nothing installed until someone opts in

    button.click()

    expect(section).to_have_attribute("data-state", "blocked")
    registration = page.evaluate(REGISTRATION)
    assert registration == {"scope": f"{demo}/fieldworker/",
                            "script": f"{demo}/static/push-sw.js"}
    expect(section.locator("#push-state")).to_contain_text(
        "Notifications are blocked for this site in this browser's settings")
    expect(section.locator("#push-state")).to_contain_text(
        "New notifications still appear in the list above")
    expect(button).to_be_enabled()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_without_javascript_the_page_says_push_is_unavailable(nojs_page, demo):
    page = nojs_page
    page.goto(f"{demo}/login")
    page.get_by_label("Email").fill(FIELDWORKER)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{demo}/fieldworker/notifications")
    expect(page.locator("#push-state")).to_have_text(
        "Push notifications aren't available on this browser. New notifications still "
        "appear in the list above.")
    expect(page.locator("#push-toggle")).to_be_hidden()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    expect(page.locator("#notifications")).to_be_visible()
