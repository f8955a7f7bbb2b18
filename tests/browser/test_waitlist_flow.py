"""Issue 20's waitlist, in a real browser: a customer finds no time that suits and joins the
waitlist from the booking page; someone else cancels the time they wanted; the offer email
arrives through a real SMTP server; its link opens a confirm page and the customer takes the
time, getting the usual confirmation."""
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from portal.bookings.models import Booking
from portal.bookings.services import cancel_booking
from portal.kernel.actors import Actor
from portal.messaging.outbox import work_once
from tests.support.browsing import log_in, new_context
from tests.support.waitlist import booked_time, only_one_fieldworker

pytestmark = pytest.mark.browser


def mails_to(smtp, address):
    return {str(m["Subject"]): m for m in smtp.parsed() if m["To"] == address}


def test_join_then_someone_cancels_then_the_emailed_offer_is_claimed(browser, live_url, world,
                                                                     smtp):
    only_one_fieldworker(world)
    wanted = booked_time(world)  # Olive holds the 10:00 visit Casey would like
    context = new_context(browser)
    page = context.new_page()
    log_in(page, live_url)

    # The booking page for that day: no 10:00, so Casey joins the waitlist for mornings.
    page.goto(f"{live_url}/book?service={world.service.id}&date={wanted.day}")
    page.get_by_role("link", name="Join the waitlist").click()
    expect(page.get_by_label("From", exact=True)).to_have_value(wanted.day.isoformat())
    page.get_by_label("Mornings (before 12:00)").check()
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_role("status")).to_contain_text("You're on the waitlist")
    expect(page.locator(".waitlist-entries")).to_contain_text("Regular clean")

    # Olive cancels (her own choice, from her side); the offer goes out through the outbox.
    cancel_booking(wanted.booking.ref, Actor("customer", world.other.id, world.other.name),
                   channel="portal")
    work_once()
    [subject] = [s for s in mails_to(smtp, world.customer.email) if "come free" in s]
    body = mails_to(smtp, world.customer.email)[subject].get_body(("plain",)).get_content()
    link = re.search(r"(http\S+/l/w/[\w.\-]+)", body).group(1)

    # The link works without logging in: a fresh browser, as from a phone's mail app.
    context.close()
    context = new_context(browser)
    page = context.new_page()
    page.goto(live_url + urlsplit(link).path)
    expect(page.get_by_role("heading", name="A time has come free")).to_be_visible()
    page.get_by_role("button", name="Take this time").click()
    expect(page.get_by_role("heading", name="The time is yours")).to_be_visible()
    context.close()

    booking = Booking.get((Booking.customer == world.customer.id)
                          & (Booking.starts_at == wanted.starts_at))
    assert booking.status == "scheduled"
    work_once()
    assert any(s.startswith("Booking confirmed") and booking.ref in s
               for s in mails_to(smtp, world.customer.email))
