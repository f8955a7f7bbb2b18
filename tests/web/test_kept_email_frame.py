"""The emails' frame and buttons are rendered once and kept (portal/messaging/email_frame.py):
what they write is what the kit's macros write, for every language, name and business contact,
and a change made by another process (the business renamed, a customer's language, an email
template saved in Settings > Emails) is in the next email this process renders."""
from datetime import timedelta

import pytest
from flask import current_app
from flask_babel import force_locale
from markupsafe import Markup

from portal.messaging.models import OutboxMessage
from portal.settings import Settings
from tests.support.cancelling import post_cancel
from tests.support.elsewhere import sql_elsewhere
from tests.support.factories import booking

KEPT = ('{% import "emails/_kit.html" as kit %}'
        '{% call kit.email(settings, name) %}<p>{{ _("Service") }} &amp; {{ x }}</p>{% endcall %}'
        '|{% call kit.frame(settings) %}<p>{{ x }}</p>{% endcall %}'
        '|{{ kit.button(url, label, kind) }}')
MACROS = KEPT.replace("kit.email(", "kit.email_frame(").replace(
    "kit.frame(", "kit.document(").replace("kit.button(", "kit.button_markup(")
NAMES = [None, "Ana", "", '<b>Tom & "Jerry"</b>', Markup("<i>Kim</i>")]
CONTACTS = [("Sparkle & Co. <Cleaning>", "(555) 010-4477", "hello@sparkle.example"),
            ('Ö "Reinigung"', "", "büro@example.de"), ("Plain", "+1 555", ""), ("Plain", "", "")]
BUTTONS = [("http://localhost/l/a?x=1&y=<2>", "View booking", "primary"),
           ("http://localhost/b", Markup("Book <b>again</b>"), "secondary"),
           ("http://localhost/c", 'Cancel "now" & <then>', "danger")]


@pytest.mark.parametrize("language", ["en", "de", "es"])
def test_the_kept_frame_and_buttons_write_what_the_kit_macros_write(app, language):
    env = current_app.jinja_env
    kept, macros = env.from_string(KEPT), env.from_string(MACROS)
    with app.test_request_context(), force_locale(language):
        for business, phone, email in CONTACTS:
            settings = Settings(business_name=business, contact_phone=phone, contact_email=email)
            for name in NAMES:
                for url, label, kind in BUTTONS:
                    values = dict(settings=settings, name=name, url=url, label=label,
                                  kind=kind, x="<&>")
                    expected = macros.render(**values)
                    assert kept.render(**values) == expected  # made and kept
                    assert kept.render(**values) == expected  # from what was kept
                    assert f'lang="{language}"' in expected and "&lt;&amp;&gt;" in expected


def test_the_frame_may_read_only_the_settings_it_is_kept_by(app):
    """A frame that read another setting would be kept under a key that does not name it: it
    fails loudly instead of sending every later email with the first one's value."""
    from portal.messaging import email_frame
    with app.test_request_context():
        contacts = email_frame._Contacts(Settings(business_name="A"))
        with pytest.raises(RuntimeError, match="settings.currency"):
            contacts.currency  # noqa: B018


def test_settings_without_contacts_get_the_macros_blanks(app):
    env = current_app.jinja_env
    partial = {"settings": type("Named", (), {"business_name": "Only a name"})(), "name": "Jo",
               "x": "", "url": "http://x", "label": "Go", "kind": "primary"}
    with app.test_request_context():
        assert env.from_string(KEPT).render(**partial) == env.from_string(MACROS).render(**partial)


def cancel_and_render(client, world):
    """The customer cancels a new visit; the worker's rendering of its email, (text, HTML)."""
    visit = booking(world.customer, world.service, timedelta(days=10), world.fw)
    assert post_cancel(client, visit).status_code == 302
    row = OutboxMessage.get(OutboxMessage.dedupe_key.startswith(f"booking_cancelled:{visit.id}:"))
    return row.body_text, row.body_html


def test_a_business_renamed_elsewhere_is_named_in_the_next_email(app, customer_client, world):
    _, html = cancel_and_render(customer_client, world)
    assert html.count(world.settings.business_name.replace("&", "&amp;")) == 2  # top, footer
    sql_elsewhere(app.config["DATABASE_URL"],
                  "UPDATE settings SET business_name = 'Brand & New', contact_phone = '',"
                  " contact_email = 'new@brand.example'")
    text, html = cancel_and_render(customer_client, world)
    assert html.count("Brand &amp; New") == 2 and "Brand & New" in text
    assert "mailto:new@brand.example" in html and "tel:" not in html
    assert world.settings.business_name.replace("&", "&amp;") not in html


def test_a_language_chosen_elsewhere_frames_the_next_email_in_it(app, customer_client, world):
    _, html = cancel_and_render(customer_client, world)
    assert '<html lang="en">' in html and f"Hello {world.customer.name}," in html
    sql_elsewhere(app.config["DATABASE_URL"],
                  f"UPDATE customer SET language = 'de' WHERE id = {world.customer.id}")
    _, html = cancel_and_render(customer_client, world)
    assert '<html lang="de">' in html and f"Guten Tag {world.customer.name}," in html
    sql_elsewhere(app.config["DATABASE_URL"],
                  f"UPDATE customer SET language = 'es' WHERE id = {world.customer.id}")
    _, html = cancel_and_render(customer_client, world)
    assert '<html lang="es">' in html and f"Hola, {world.customer.name}:" in html


def test_an_email_template_saved_elsewhere_writes_the_next_email(app, customer_client, world):
    text, _ = cancel_and_render(customer_client, world)
    assert "Written elsewhere" not in text

    def save(words):
        sql_elsewhere(
            app.config["DATABASE_URL"], "DELETE FROM email_template",
            "INSERT INTO email_template (kind, language, subject, body_text, body_formatted, "
            "updated_at, updated_by) VALUES ('booking_cancelled', 'en', 'Cancelled: "
            "{booking_ref}', '" + words + " {booking_ref}.\n\n{booking_button}', '" + words
            + " **{booking_ref}**.\n\n{booking_button}', '2026-01-01 00:00:00', 'elsewhere')",
            "UPDATE settings SET custom_emails = 'booking_cancelled:en'")
    save("Written elsewhere")
    text, html = cancel_and_render(customer_client, world)
    assert "Written elsewhere" in text
    assert "Written elsewhere <strong>" in html and ">View booking</a>" in html
    save("Rewritten elsewhere")
    text, html = cancel_and_render(customer_client, world)
    assert "Rewritten elsewhere" in text and "Rewritten elsewhere <strong>" in html
