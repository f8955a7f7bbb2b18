"""Which language a page speaks: a logged-in customer's own choice, else the browser's
Accept-Language among the languages Rebook speaks, else the business's default; staff pages
stay English. A customer's language is first taken from the browser when they log in, and is
theirs to change under Account; the business sets its default under Settings."""
import re

import pytest

from portal.messaging.models import Notification, OutboxMessage
from portal.people import Customer
from portal.settings import Settings
from tests.support.account_helpers import _push_request_context, browser, log_in, page  # noqa: F401
from tests.support.forms import csrf_from

LANG = re.compile(r'<html lang="(\w+)">')


def language_of(response):
    return LANG.search(response.get_data(as_text=True)).group(1)


def speaking(app, accept=None):
    client = browser(app)
    if accept:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept
    return client


@pytest.mark.parametrize("accept, default, expected", [
    ("es-MX,es;q=0.9,en;q=0.5", "en", "es"),
    ("de-AT", "es", "de"),
    ("fr-FR,fr;q=0.9", "de", "de"),   # nothing we speak: the business's default
    (None, "es", "es"),
    ("fr, en;q=0.1", "de", "en"),     # English asked for, if only a little, beats the default
])
def test_anonymous_pages_follow_the_browser_then_the_business(app, world, accept, default,
                                                              expected):
    Settings.update(default_language=default).execute()
    response = page(speaking(app, accept), "/login")
    assert language_of(response) == expected
    words = {"en": "Forgot password?", "de": "Passwort vergessen?",
             "es": "¿Ha olvidado su contraseña?"}
    assert words[expected] in response.get_data(as_text=True)


def test_the_browser_language_is_kept_at_first_login_and_then_the_choice_wins(app, world):
    client = speaking(app, "de-DE,de;q=0.9")
    assert log_in(client, world.customer.email).status_code == 302
    assert Customer.get_by_id(world.customer.id).language == "de"
    bookings = page(client, "/bookings")
    assert language_of(bookings) == "de" and "Meine Buchungen" in bookings.get_data(as_text=True)

    # A later login from a Spanish browser does not overwrite a language already held.
    other = speaking(app, "es")
    assert log_in(other, world.customer.email).status_code == 302
    assert Customer.get_by_id(world.customer.id).language == "de"
    assert language_of(page(other, "/bookings")) == "de"


def account_form(client):
    html = page(client, "/account").get_data(as_text=True)
    return html, {"csrf_token": csrf_from(html), "name": "Casey Customer",
                  "email": "customer@example.com", "phone": "", "address": "12 Maple Street",
                  "current_password": ""}


def test_a_customer_chooses_their_language_under_account(app, world):
    client = speaking(app, "en")
    assert log_in(client, world.customer.email).status_code == 302
    html, data = account_form(client)
    assert '<option value="es" lang="es"' in html and "Español" in html
    response = client.post("/account", data={**data, "language": "es"})
    assert response.status_code == 302
    assert Customer.get_by_id(world.customer.id).language == "es"
    after = page(client, "/account")
    assert language_of(after) == "es"
    text = after.get_data(as_text=True)
    assert "Sus datos se han guardado." in text and "Su cuenta" in text


@pytest.mark.parametrize("bad", ["fr", "xx-YY", "<script>"])
def test_a_language_we_do_not_speak_is_refused_and_nothing_saved(app, world, bad):
    Customer.update(language="de").where(Customer.id == world.customer.id).execute()
    client = speaking(app)
    assert log_in(client, world.customer.email).status_code == 302
    _, data = account_form(client)
    response = client.post("/account", data={**data, "language": bad, "phone": "555 010 9999"})
    assert response.status_code == 422
    assert "Choose one of the languages in the list." in response.get_data(as_text=True)
    row = Customer.get_by_id(world.customer.id)
    assert (row.language, row.phone) == ("de", world.customer.phone)


def test_staff_pages_stay_english_whatever_the_browser_asks(app, world):
    client = speaking(app, "de")
    assert log_in(client, world.admin.email).status_code == 302
    response = page(client, "/admin/settings/portal")
    assert language_of(response) == "en"
    assert "Settings" in response.get_data(as_text=True)


def test_the_business_sets_its_default_language(app, world):
    client = speaking(app)
    assert log_in(client, world.admin.email).status_code == 302
    html = page(client, "/admin/settings/portal").get_data(as_text=True)
    settings = Settings.current()
    data = {"csrf_token": csrf_from(html), "customers_may_cancel": "y",
            "customers_may_reschedule": "y", "cancel_notice_hours": settings.cancel_notice_hours,
            "reschedule_notice_hours": "", "blocked_message": "", "reschedule_blocked_message": "",
            "reminder_hours": settings.reminder_hours, "default_language": "es"}
    assert client.post("/admin/settings/portal", data=data).status_code == 302
    assert Settings.current().default_language == "es"
    assert language_of(page(speaking(app), "/login")) == "es"

    refused = client.post("/admin/settings/portal", data={**data, "default_language": "fr"})
    assert refused.status_code == 422
    assert Settings.current().default_language == "es"


def test_refusals_and_form_errors_a_customer_reads_speak_their_language(app, world):
    Customer.update(language="de").where(Customer.id == world.customer.id).execute()
    client = speaking(app, "en")
    assert log_in(client, world.customer.email).status_code == 302
    past = page(client, f"/bookings/{world.past.ref}").get_data(as_text=True)
    assert "Der Termin ist bereits vorbei, daher kann er nicht mehr online storniert " \
           "werden." in past
    Settings.update(cancel_notice_hours=24).execute()
    soon = page(client, f"/bookings/{world.soon.ref}").get_data(as_text=True)
    assert "Online-Stornierungen sind bis 24 Stunden vor dem Termin möglich. Bitte " \
           "kontaktieren Sie uns unter (555) 010-4477." in soon

    form = page(client, f"/bookings/{world.upcoming.ref}/cancel").get_data(as_text=True)
    response = client.post(f"/bookings/{world.upcoming.ref}/cancel", data={
        "csrf_token": csrf_from(form), "version": world.upcoming.version, "note": "x" * 300})
    assert response.status_code == 422
    assert "Bitte halten Sie die Notiz unter 255 Zeichen." in response.get_data(as_text=True)
    stale = client.post(f"/bookings/{world.upcoming.ref}/cancel", data={
        "csrf_token": csrf_from(form), "version": world.upcoming.version + 5, "note": ""})
    assert stale.status_code == 409
    assert "Diese Buchung hat sich geändert, seit die Seite geladen wurde." \
        in stale.get_data(as_text=True)


def test_a_german_customers_cancellation_tells_the_staff_in_english(app, world):
    Customer.update(language="de").where(Customer.id == world.customer.id).execute()
    client = speaking(app, "de")
    assert log_in(client, world.customer.email).status_code == 302
    form = page(client, f"/bookings/{world.upcoming.ref}/cancel").get_data(as_text=True)
    assert client.post(f"/bookings/{world.upcoming.ref}/cancel", data={
        "csrf_token": csrf_from(form), "version": world.upcoming.version,
        "note": ""}).status_code == 302
    notices = [n.message for n in Notification.select()]
    assert notices and all(n.startswith(f"Booking {world.upcoming.ref} for Casey Customer on ")
                           and n.endswith(" was cancelled.") and re.search(r"[AP]M", n)
                           for n in notices), notices
    mails = {m.to_address: m.subject for m in OutboxMessage.select()}
    assert mails[world.customer.email] == f"Ihre Buchung {world.upcoming.ref} ist storniert"
    assert mails[world.fw.email].startswith("Job cancelled: Regular clean on ")
    assert re.search(r"[AP]M", mails[world.fw.email])
