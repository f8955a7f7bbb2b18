"""Customers find how to book: Book in the nav, on My bookings and in its empty state; the
policy (bookings/policy.can_book) decides, so with online booking off nothing offers it."""
from datetime import timedelta

import pytest

from portal.bookings.models import Booking
from portal.people import Customer
from portal.settings import Settings
from tests.support.factories import booking
from tests.support.forms import login, logout
from tests.support.pages import words

BOOK = 'href="/book"'


def test_book_is_in_the_nav_and_on_my_bookings(customer_client):
    html = customer_client.get("/bookings").get_data(as_text=True)
    nav = html[html.index('aria-label="Main"'):html.index("</nav>")]
    assert BOOK in nav and ">Book<" in nav
    assert "Book an appointment" in html[html.index("<main"):]
    assert customer_client.get("/book").status_code == 200  # and the link goes somewhere real


def test_an_empty_upcoming_tab_invites_booking(client, world):
    login(client, world.other.email)
    Booking.delete().where(Booking.customer == world.other.id).execute()
    text = words(client.get("/bookings"))
    assert "You have no upcoming bookings." in text and "Pick a service and a time" in text
    assert "No upcoming bookings." not in text
    section = client.get("/bookings?show=upcoming", headers={"HX-Request": "true"})
    assert BOOK in section.get_data(as_text=True)  # the swapped list carries it too


@pytest.mark.parametrize("switch_off", ["business", "customer"])
def test_with_online_booking_off_no_book_entry_shows(client, world, switch_off):
    if switch_off == "business":
        Settings.update(online_booking=False).execute()
    else:
        Customer.update(may_book_online=False).where(Customer.id == world.other.id).execute()
    login(client, world.other.email)
    Booking.delete().where(Booking.customer == world.other.id).execute()
    cancelled = booking(world.other, world.service, timedelta(days=2), status="cancelled",
                        cancel_channel="portal")
    for url in ("/bookings", f"/bookings/{cancelled.ref}"):
        html = client.get(url).get_data(as_text=True)
        assert BOOK not in html, url
        assert "Schedule an appointment" not in html and "Book an appointment" not in html
    text = words(client.get("/bookings"))
    assert "To book a visit, contact us on (555) 010-4477." in text
    # The page itself still says why, for anyone who had it bookmarked.
    assert "Online booking is not available" in words(client.get("/book"))


def test_a_cancelled_booking_offers_a_new_one_when_booking_is_on(customer_client, world):
    html = customer_client.get(f"/bookings/{world.cancelled.ref}").get_data(as_text=True)
    assert "Schedule an appointment" in html and BOOK in html


def test_past_tab_lists_only_past_visits_and_cancelled_tab_the_cancellations(customer_client,
                                                                             world):
    past = customer_client.get("/bookings?show=past").get_data(as_text=True)
    assert "Past &amp; cancelled" not in past and ">Past<" in past
    assert world.past.ref in past and world.completed.ref in past
    assert world.cancelled.ref not in past  # cancelled, but its time is still to come
    assert world.cancelled.ref in customer_client.get("/bookings?show=cancelled").get_data(
        as_text=True)


def nav_of(client, url="/bookings", **kwargs):
    html = client.get(url, **kwargs).get_data(as_text=True)
    return html[html.index('aria-label="Main"'):html.index("</nav>")]


def test_the_kept_navigation_follows_the_person_the_switch_and_the_script_root(client, world):
    """base.html keeps its links once rendered (web/app/page_kit.KeptFragments): each kind of
    person, each answer of may_book() and each mount point still gets its own."""
    login(client, world.customer.email)
    assert BOOK in nav_of(client) and "My bookings" in nav_of(client)
    Settings.update(online_booking=False).execute()  # read afresh by every request
    assert BOOK not in nav_of(client) and "My bookings" in nav_of(client)
    mounted = nav_of(client, base_url="http://localhost/portal")
    assert 'href="/portal/bookings"' in mounted and 'href="/bookings"' not in mounted
    logout(client)
    login(client, world.admin.email)
    admin = nav_of(client, "/admin/bookings")
    assert 'href="/admin/customers"' in admin and "My bookings" not in admin
    assert "Log out Ada" in admin and "Notifications" in admin
    logout(client)
    login(client, world.fw.email)
    fieldworker = nav_of(client, "/fieldworker/jobs")
    assert "My jobs" in fieldworker and 'href="/admin/customers"' not in fieldworker
    assert "Log out Fred" in fieldworker
