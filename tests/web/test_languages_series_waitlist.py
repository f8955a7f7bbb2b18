"""Repeating visits and the waitlist speak the customer's language: a German customer reads the
series choices of the cancel step, the series cancellation email and its subject, their
waitlist page, a waitlist offer email and its claim page in German; an English customer
offered the same time at the same moment still reads English."""
import html as html_lib
import re

import pytest

from portal.bookings.services import cancel_booking
from portal.messaging.models import OutboxMessage
from portal.kernel.clock import utcnow
from portal.kernel.timefmt import to_local
from portal.people import Customer
from portal.settings import Settings
from tests.support.days import working_day
from tests.support.forms import csrf_from
from tests.support.pages import text
from tests.support.request_context import _push_request_context  # noqa: F401 (one g a request)
from tests.support.series import series_emails, weekly_series
from tests.support.series import casey, staff  # noqa: F401 (fixtures)
from tests.support.waitlist import (admin_actor, booked_time, only_one_fieldworker,
                                    waiting_customers)


def speaks_german(customer):
    Customer.update(language="de").where(Customer.id == customer.id).execute()


@pytest.fixture
def german_series(staff, casey, world):
    """Casey, who chose German, with a weekly series of six booked by staff."""
    weekly = weekly_series(staff, world)
    speaks_german(world.customer)
    return casey, weekly


def test_a_german_customer_reads_the_series_choices_and_the_email_in_german(german_series, app,
                                                                          world):
    casey, weekly = german_series
    page = text(casey.get(f"/bookings/{weekly[2].ref}/cancel"))
    assert "Dieser Termin gehört zu einer Serie. Welche Termine möchten Sie stornieren?" in page
    for choice in ("Dieser Termin", "Dieser und die folgenden Termine",
                   "Die ganze Serie (was noch aussteht)"):
        assert f"<strong>{choice}</strong>" in page
    assert "4 Termine werden storniert" in page and "6 Termine werden storniert" in page
    assert "wird storniert" in page
    assert "This and following visits" not in page and "to be cancelled" not in page

    versions = dict(re.findall(r'name="versions_(\w+)" value="([^"]*)"', page))
    response = casey.post(f"/bookings/{weekly[2].ref}/cancel", data={
        "csrf_token": csrf_from(page), "version": str(weekly[2].version), "scope": "following",
        "versions_following": versions["following"], "versions_all": versions["all"],
        "note": ""})
    assert response.status_code == 302
    assert "4 Termine storniert:" in text(casey.get(response.headers["Location"]))

    [mail] = series_emails(app)
    assert mail.subject == "4 Termine storniert"
    assert f"Guten Tag {world.customer.name}," in mail.body_text
    assert f"Diese Termine bei {world.settings.business_name} sind storniert:" in mail.body_text
    assert "Ihre anderen Termine bleiben unverändert." in mail.body_text
    assert '<html lang="de">' in mail.body_html
    assert "Diese Termine sind <strong>storniert</strong>:" in mail.body_html
    assert "Neuen Termin buchen" in html_lib.unescape(mail.body_html)
    assert "These visits" not in mail.body_text + mail.body_html


def test_a_german_customers_waitlist_page_is_in_german(customer_client, world):
    speaks_german(world.customer)
    page = text(customer_client.get("/account/waitlist"))
    assert '<html lang="de">' in page
    assert "Ihre Warteliste" in page and "Sie warten derzeit auf nichts." in page
    for words in ("Auf die Warteliste", "Tageszeiten", "Vormittags (vor 12:00)",
                  "Zwischen bestimmten Uhrzeiten", "Von (Uhrzeit)"):
        assert words in page
    assert "Your waitlist" not in page and "Times of day" not in page

    today = to_local(utcnow(), Settings.current().timezone).date()
    waiting = working_day(today, 7)
    response = customer_client.post("/account/waitlist", data={
        "csrf_token": csrf_from(page), "service": str(world.service.id),
        "first": waiting.isoformat(), "last": waiting.isoformat(), "times": "morning"})
    assert response.status_code == 302
    listed = text(customer_client.get("/account/waitlist"))
    assert "Sie stehen auf der Warteliste." in listed  # the flash
    assert "vormittags (vor 12:00)" in listed and ">Verlassen</button>" in listed

    refused = customer_client.post("/account/waitlist", data={
        "csrf_token": csrf_from(listed), "service": str(world.service.id),
        "first": waiting.isoformat(), "last": waiting.isoformat(), "times": "morning"})
    assert refused.status_code == 409
    assert "Sie stehen dafür bereits auf der Warteliste." in text(refused)


def test_a_waitlist_offer_reaches_each_customer_in_their_own_language(app, client, world):
    only_one_fieldworker(world)
    with app.test_request_context():  # the admin's cancellation, as from their (English) page
        time = booked_time(world)
        german, english = waiting_customers(world, time.day, count=2)
        speaks_german(german.customer)
        Settings.update(waitlist_batch=0).execute()  # both offered at once, in one request
        cancel_booking(time.booking.ref, admin_actor(world), channel="admin")

    rows = {r.to_address: r for r in OutboxMessage.select().where(
        OutboxMessage.dedupe_key.startswith("waitlist_offer:"))}
    de, en = rows[german.customer.email], rows[english.customer.email]
    assert de.subject.startswith(f"Ein Termin ist frei geworden: {world.service.name} am ")
    assert "Guten Tag Waiting 1," in de.body_text
    assert "Um ihn zu nehmen, öffnen Sie diesen Link und bestätigen Sie:" in de.body_text
    assert '<html lang="de">' in de.body_html and "Diesen Termin nehmen" in de.body_html
    assert "A time you were waiting for" not in de.body_text
    assert en.subject.startswith(f"A time has come free: {world.service.name} on ")
    assert "To take it, open this link and confirm:" in en.body_text

    # The claim link's page follows the browser (anyone may open it): German asked, German read.
    link = re.search(r"^http\S+(/l/w/\S+)$", de.body_text, re.M).group(1)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de-DE,de;q=0.9"
    page = text(client.get(link))
    assert "Ein Termin ist frei geworden" in page and "Diesen Termin nehmen" in page
    assert "Nichts für Sie? Tun Sie nichts: Sie bleiben auf der Warteliste." in page
