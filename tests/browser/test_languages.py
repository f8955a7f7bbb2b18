"""Languages in a real browser: a customer who chose German reads their booking, the cancel
dialog and the reschedule picker in German, with 24-hour times and euro amounts as Germans
write them (the business's currency is EUR), and their cancellation email arrives at a real
SMTP server in German; an anonymous visitor whose browser asks for Spanish gets the login page
and a signed booking link in Spanish."""
import re

import pytest
from flask_babel import force_locale
from playwright.sync_api import expect

from portal.billing.models import FeeTier
from portal.bookings.links import make_token
from portal.bookings.models import Booking, Service
from portal.kernel.clock import utcnow
from portal.kernel.timefmt import day_text, local_time, to_local, when
from portal.messaging.outbox import work_once
from portal.people import Customer
from portal.settings import Settings
from tests.support.browsing import CUSTOMER, new_context
from tests.support.demo_visits import paid_booking, regular_clean
from tests.support.slots import free

pytestmark = pytest.mark.browser

AM_PM = re.compile(r"\b(AM|PM)\b")


@pytest.fixture
def german_customer(demo):
    """The demo business in euros, its customer speaking German, and a €90 visit of theirs two
    days away, paid by card (half of it is kept under 72 hours' notice)."""
    Settings.update(currency="EUR").execute()
    Customer.update(language="de").where(Customer.email == CUSTOMER).execute()
    FeeTier.create(under_hours=72, kind="percent", percent_bp=5_000)
    return paid_booking(free(regular_clean(), days_ahead=2).starts_at)


def in_language(app, language, fn, *args):
    """What Rebook's own formatting says in `language` (the page must say the same)."""
    with app.test_request_context(), force_locale(language):
        return fn(*args)


def test_a_german_customer_reads_their_booking_dialogs_and_email_in_german(
        app, browser, demo, german_customer, smtp, screenshot):
    booking = german_customer
    tz = Settings.current().timezone
    context = new_context(browser, locale="en-US")  # their choice wins over the browser's
    page = context.new_page()
    page.goto(f"{demo}/login")
    page.get_by_label("Email").fill(CUSTOMER)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Meine Buchungen", level=1)).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "de"

    page.goto(f"{demo}/bookings/{booking.ref}")
    page.wait_for_load_state()
    card = page.locator(f"#booking-{booking.ref}")
    german_when = in_language(app, "de", when, booking.starts_at, tz)
    assert not AM_PM.search(german_when) and re.search(r"\d{2}:\d{2}", german_when)
    expect(card.locator("hgroup p")).to_have_text(german_when)
    expect(page.locator(f"#status-{booking.ref}")).to_have_text("Geplant")
    expect(card).to_contain_text("90,00 €")
    expect(card).not_to_contain_text("$")
    expect(page.get_by_role("link", name="Meine Bestellungen")).to_be_visible()
    screenshot(page, "de-1-booking")

    # The cancel dialog: what is paid, what is kept and what comes back, in German and euros.
    page.locator("main").get_by_role("button", name="Buchung stornieren").click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_role("heading", name="Diese Buchung stornieren?")).to_be_visible()
    expect(dialog).to_contain_text("Sie haben 90,00 € bezahlt.")
    expect(dialog).to_contain_text("Wir behalten 45,00 € ein")
    expect(dialog).to_contain_text("45,00 € werden Ihnen erstattet")
    expect(dialog).to_contain_text("Dies kann nicht rückgängig gemacht werden.")
    expect(dialog.locator("#cancel-note-count")).to_have_text("0 / 255 Zeichen")
    expect(dialog.get_by_label("Notiz zur Stornierung")).to_be_focused()
    screenshot(page, "de-2-cancel-dialog")
    dialog.get_by_role("button", name="Buchung behalten").click()
    expect(page.locator("dialog")).to_have_count(0)

    # The reschedule picker: German days and 24-hour times.
    slot = free(booking.service, days_ahead=7)
    day = to_local(slot.starts_at, tz).date()
    page.locator("main").get_by_role("button", name="Verschieben").click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_role("heading", name="Diese Buchung verschieben")).to_be_visible()
    dialog.get_by_label("Datum").fill(day.isoformat())
    legend = dialog.locator("#reschedule-times legend")
    expect(legend).to_contain_text("Freie Zeiten am")
    expect(legend).to_contain_text(in_language(app, "de", day_text, day))
    label = in_language(app, "de", local_time, slot.starts_at, tz)
    assert re.fullmatch(r"\d{2}:\d{2}", label), label
    expect(dialog.get_by_label(label, exact=True)).to_be_visible()
    assert not AM_PM.search(dialog.locator(".time-grid").inner_text())
    expect(dialog.get_by_role("button", name="Buchung verschieben")).to_be_visible()
    screenshot(page, "de-3-reschedule-picker")
    dialog.get_by_role("button", name="Diese Zeit behalten").click()
    expect(page.locator("dialog")).to_have_count(0)

    # Cancel for real: the page says so in German, and so does the email.
    page.locator("main").get_by_role("button", name="Buchung stornieren").click()
    page.locator("dialog[open]").get_by_role("button", name="Buchung stornieren").click()
    expect(page.locator(f"#status-{booking.ref}")).to_have_text("Storniert")
    expect(page.get_by_role("status")).to_contain_text("Ihre Buchung ist storniert.")
    context.close()

    while work_once()[0]:  # the outbox worker renders and sends through the real SMTP server
        pass
    # (the demo's own emails, queued before the customer chose German, went out too)
    mails = [m for m in smtp.parsed() if m["To"] == CUSTOMER and booking.ref in m["Subject"]]
    assert [str(m["Subject"]) for m in mails] == [f"Ihre Buchung {booking.ref} ist storniert"]
    text = mails[0].get_body(("plain",)).get_content()
    html = mails[0].get_body(("html",)).get_content()
    assert text.startswith("Guten Tag Casey")
    assert f"Ihre Buchung {booking.ref} bei" in text and "ist storniert." in text
    assert german_when in text and not AM_PM.search(text)
    assert "Wir haben eine Erstattung von 45,00\xa0€ beantragt" in text
    assert text.rstrip().endswith("(555) 010-4477 oder hello@example.com")
    assert '<html lang="de">' in html and "Buchung ansehen" in html
    assert Booking.get_by_id(booking.id).status == "cancelled"


def test_a_spanish_browser_gets_the_login_and_signed_link_pages_in_spanish(app, browser, demo,
                                                                          screenshot):
    booking = (Booking.select().join(Service)
               .where((Service.name == "Regular clean") & (Booking.status == "scheduled")
                      & (Booking.starts_at > utcnow())).order_by(Booking.starts_at).first())
    context = new_context(browser, locale="es-ES")  # Accept-Language: es-ES
    page = context.new_page()

    page.goto(f"{demo}/login")
    assert page.locator("html").get_attribute("lang") == "es"
    expect(page.get_by_role("heading", name="Iniciar sesión", level=1)).to_be_visible()
    expect(page.get_by_label("Correo electrónico")).to_be_visible()
    expect(page.get_by_label("Contraseña")).to_be_visible()
    expect(page.get_by_role("link", name="¿Ha olvidado su contraseña?")).to_be_visible()
    expect(page.get_by_role("link", name="Saltar al contenido")).to_be_attached()
    screenshot(page, "es-1-login")

    token = make_token(app.config["SECRET_KEY"], "view", booking)
    page.goto(f"{demo}/l/{token}")
    assert page.locator("html").get_attribute("lang") == "es"
    tz = Settings.current().timezone
    card = page.locator(f"#booking-{booking.ref}")
    expect(card.locator("hgroup p")).to_have_text(in_language(app, "es", when,
                                                              booking.starts_at, tz))
    expect(page.locator(f"#status-{booking.ref}")).to_have_text("Programada")
    expect(card).to_contain_text("Dónde")
    expect(page.get_by_role("link", name="Inicie sesión para ver todas sus reservas")) \
        .to_be_visible()
    expect(page.get_by_role("button", name="Cancelar reserva")).to_be_visible()
    screenshot(page, "es-2-signed-link")

    page.goto(f"{demo}/l/{token[:-4]}AAAA")  # a damaged link: the refusal is Spanish too
    expect(page.get_by_role("heading", name="Este enlace ya no es válido")).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        "Este enlace no es válido. Puede que se haya copiado incompleto. No se ha cambiado nada.")
    context.close()
