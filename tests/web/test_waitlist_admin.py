"""Admin > Waitlist (who waits, per service and day; how times are offered) and the
cancellations report's refilled count: time and revenue a waiting customer took back."""
import re

import pytest

from portal.bookings.services import cancel_booking
from portal.bookings.waitlist_models import WaitlistOffer
from portal.bookings.waitlist_offers import claim_offer
from portal.settings import Settings
from tests.support.forms import csrf_from, login
from tests.support.pages import text
from tests.support.waitlist import admin_actor, waiting_customers
from tests.support.waitlist import released  # noqa: F401 (a fixture)

URL = "/admin/waitlist"


def report(client, day):
    page = text(client.get(f"/admin/reports/cancellations?preset=custom&from={day}&to={day}"))
    block = re.search(r'<div id="refilled">(.*?)</div>', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", block.group(1)).split()) if block else None


def test_the_report_counts_refilled_cancellations(admin_client, world, released):
    cancel_booking(released.booking.ref, admin_actor(world), channel="admin")
    assert "0 Cancelled visits" in report(admin_client, released.day)  # offered, not taken
    offer = WaitlistOffer.select().order_by(WaitlistOffer.id).first()
    booking, gone = claim_offer(offer.id, offer.nonce)
    assert gone is None and booking.price == 9000
    line = report(admin_client, released.day)
    assert "1 Cancelled visits whose time a waiting customer took: 2 hours and $90.00" in line
    # A refill that is itself cancelled recovered nothing.
    cancel_booking(booking.ref, admin_actor(world), channel="admin")
    assert "0 Cancelled visits" in report(admin_client, released.day)


def test_the_waitlist_per_service_and_day(admin_client, world, released):
    page = text(admin_client.get(f"{URL}?service={world.service.id}&date={released.day}"))
    names = re.findall(r">(Waiting \d)</a>", page)
    assert names == ["Waiting 1", "Waiting 2", "Waiting 3"]  # join order
    other_day = text(admin_client.get(f"{URL}?date=2000-01-03"))
    assert "Nobody is waiting for that day." in other_day
    noted = admin_client.get(f"{URL}?service=x&date=nope")
    assert noted.status_code == 200
    assert "isn't a service we know" in text(noted) and "isn't a date" in text(noted)


def settings_now():
    s = Settings.current()
    return s.waitlist_batch, s.waitlist_claim_minutes


def save(client, **fields):
    data = {"csrf_token": csrf_from(text(client.get(URL))), **fields}
    return client.post(f"{URL}/settings", data=data)


def test_saving_how_times_are_offered(admin_client, world):
    assert save(admin_client, mode="batch", batch="2", claim_minutes="30").status_code == 302
    assert settings_now() == (2, 30)
    assert save(admin_client, mode="everyone", batch="2", claim_minutes="30").status_code == 302
    assert settings_now() == (0, 30)


@pytest.mark.parametrize("fields, words", [
    ({"mode": "batch", "batch": "abc", "claim_minutes": "30"}, "whole number"),
    ({"mode": "batch", "batch": "0", "claim_minutes": "30"}, "at least 1 person"),
    ({"mode": "batch", "batch": "51", "claim_minutes": "30"}, "between 1 and 50"),
    ({"mode": "batch", "batch": "2", "claim_minutes": "1"}, "between 5 minutes and 7 days"),
    ({"mode": "batch", "batch": "2", "claim_minutes": "-5"}, "whole number"),
])
def test_bad_settings_are_refused_and_change_nothing(admin_client, world, fields, words):
    before = settings_now()
    response = save(admin_client, **fields)
    assert response.status_code == 422 and words in text(response)
    assert settings_now() == before


def test_customers_and_fieldworkers_cannot_see_it(client, world):
    login(client, world.customer.email)
    assert client.get(URL).status_code in (302, 403, 404)


def test_the_page_reads_a_fixed_number_of_queries(admin_client, world, released):
    from tests.support.queries import queries_for
    url = f"{URL}?date={released.day}"
    before = queries_for(admin_client, url)
    waiting_customers(world, released.day, count=30, times="evening", numbered_from=4)
    assert text(admin_client.get(url)).count("Waiting ") >= 33
    assert queries_for(admin_client, url) == before <= 6, before
