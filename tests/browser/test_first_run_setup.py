"""First-run setup in a real browser with JavaScript off: an empty production Rebook leads to
/setup, refuses a weak password beside its field, then sets up and lets the new admin in."""
import pytest
from playwright.sync_api import expect

from tests.support.modes_support import GOOD_PASSWORD, production_mode

pytestmark = pytest.mark.browser


@pytest.fixture
def plain_page(browser, app, live_url):
    with production_mode(app):
        context = browser.new_context(viewport={"width": 1024, "height": 768},
                                      java_script_enabled=False)
        context.set_default_timeout(5000)
        yield context.new_page()
        context.close()


def test_first_run_setup_without_javascript(plain_page, live_url):
    page = plain_page
    page.goto(f"{live_url}/bookings")
    expect(page).to_have_url(f"{live_url}/setup")
    expect(page.get_by_role("heading", name="Set up Rebook")).to_be_visible()
    page.get_by_label("Business name").fill("Tidy Homes Ltd")
    page.get_by_label("Timezone").select_option("Europe/London")
    page.get_by_label("Currency").select_option("GBP")
    page.get_by_label("Your name").fill("Pat Owner")
    page.get_by_label("Your email").fill("pat@tidyhomes.example")
    page.get_by_label("Password", exact=True).fill("too short")
    page.get_by_label("Password again").fill("too short")
    page.get_by_role("button", name="Set up Rebook").click()

    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#password-error")).to_contain_text("at least 10 characters")
    expect(page.get_by_label("Business name")).to_have_value("Tidy Homes Ltd")  # kept
    password.fill(GOOD_PASSWORD)
    page.get_by_label("Password again").fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Set up Rebook").click()

    expect(page).to_have_url(f"{live_url}/login")
    expect(page.get_by_text("Rebook is set up.")).to_be_visible()
    page.get_by_label("Email").fill("pat@tidyhomes.example")
    page.get_by_label("Password").fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Tidy Homes Ltd")).to_be_visible()
    response = page.goto(f"{live_url}/setup")
    assert response.status == 404
