"""A released time goes to the waitlist in join order, per the business's setting; offer links
that expired, were tampered with or were used are refused with a clear page, changing nothing."""
import re
from datetime import timedelta

from portal.bookings.models import Booking
from portal.bookings.schedule_models import SlotClaim
from portal.bookings.services import cancel_booking
from portal.bookings.waitlist_models import LAPSED, OPEN, WaitlistOffer
from portal.bookings.waitlist_offers import advance
from portal.kernel.clock import utcnow
from portal.messaging.models import OutboxMessage
from portal.settings import Settings
from tests.support.forms import csrf_from
from tests.support.waitlist import (admin_actor, booked_time, only_one_fieldworker,
                                    waiting_customers)
from tests.support.waitlist import released  # noqa: F401 (a fixture)


def offer_emails():
    """(to, claim link) of each queued offer email, in the order queued."""
    rows = (OutboxMessage.select().where(OutboxMessage.dedupe_key.startswith("waitlist_offer:"))
            .order_by(OutboxMessage.id))
    return [(r.to_address, re.search(r"^(http\S+/l/w/\S+)$", r.body_text, re.M).group(1))
            for r in rows]


def set_mode(batch, minutes=60):
    Settings.update(waitlist_batch=batch, waitlist_claim_minutes=minutes).execute()


def cancel(world, booking):
    cancel_booking(booking.ref, admin_actor(world), channel="admin")


def test_everyone_at_once_offers_all_three_in_join_order(world, released):
    set_mode(0)
    assert not offer_emails()  # joining sends nothing; the time was taken
    cancel(world, released.booking)
    sent = offer_emails()
    assert [to for to, _ in sent] == ["wait1@example.com", "wait2@example.com",
                                      "wait3@example.com"]
    offers = list(WaitlistOffer.select().order_by(WaitlistOffer.id))
    assert [o.entry_id for o in offers] == [w.entry.id for w in released.waiting]
    assert {(o.starts_at, o.state, o.released_from_id) for o in offers} == {
        (released.starts_at, OPEN, released.booking.id)}
    assert all(o.expires_at == released.starts_at for o in offers)  # open until the time


def test_one_at_a_time_offers_the_next_when_the_window_lapses(world, released):
    set_mode(1, minutes=60)
    cancel(world, released.booking)
    assert [to for to, _ in offer_emails()] == ["wait1@example.com"]
    first = WaitlistOffer.get()
    assert first.expires_at - first.created_at == timedelta(minutes=60)
    assert advance(utcnow() + timedelta(minutes=30)) == 0  # still inside the window
    assert advance(utcnow() + timedelta(minutes=61)) == 1
    assert [to for to, _ in offer_emails()] == ["wait1@example.com", "wait2@example.com"]
    assert WaitlistOffer.get_by_id(first.id).state == LAPSED
    assert advance(utcnow() + timedelta(minutes=122)) == 1
    assert [to for to, _ in offer_emails()][-1] == "wait3@example.com"
    assert advance(utcnow() + timedelta(minutes=183)) == 0  # nobody left to ask


def test_two_at_a_time(world, released):
    set_mode(2, minutes=30)
    cancel(world, released.booking)
    assert [to for to, _ in offer_emails()] == ["wait1@example.com", "wait2@example.com"]


def state():
    return (Booking.select().count(), SlotClaim.select().count(),
            [(o.id, o.state) for o in WaitlistOffer.select().order_by(WaitlistOffer.id)])


def test_an_expired_offer_link_is_refused_with_a_clear_page(client, world, released):
    set_mode(1, minutes=60)
    cancel(world, released.booking)
    (_, link), = offer_emails()
    advance(utcnow() + timedelta(minutes=61))  # the window passed: the next in line asked
    before = state()
    page = client.get(link)
    assert page.status_code == 410
    assert "This offer has expired" in page.get_data(as_text=True)
    assert "Nothing was changed" in page.get_data(as_text=True)
    assert state() == before


def test_the_first_claim_books_and_the_others_are_told_it_has_gone(client, world, released,
                                                                      smtp):
    set_mode(0)
    cancel(world, released.booking)
    links = [link for _, link in offer_emails()]
    page = client.get(links[1]).get_data(as_text=True)
    assert "Take this time" in page
    assert client.post(links[1], data={"csrf_token": csrf_from(page)}).status_code == 302
    won = Booking.get(Booking.customer == released.waiting[1].customer.id)
    assert (won.starts_at, won.status) == (released.starts_at, "scheduled")
    assert OutboxMessage.select().where(
        OutboxMessage.dedupe_key == f"booking_confirmed:{won.id}:v1").exists()
    before = state()
    token = csrf_from(page)
    for other in (links[0], links[2]):
        for lost in (client.get(other), client.post(other, data={"csrf_token": token})):
            assert lost.status_code == 409
            assert "this time has gone" in lost.get_data(as_text=True).lower()
    assert state()[:2] == before[:2]  # no booking, no claim
    used = client.post(links[1], data={"csrf_token": token})
    assert used.status_code == 410 and "already been used" in used.get_data(as_text=True)


def test_moving_a_visit_away_offers_its_old_time(world, released):
    from portal.bookings.scheduling import reschedule_booking
    from tests.support.slots import free
    set_mode(0)
    later = free(world.service, days_ahead=20)
    reschedule_booking(released.booking.ref, admin_actor(world), channel="admin",
                       starts_at=later.starts_at)
    assert len(offer_emails()) == 3
    assert {o.starts_at for o in WaitlistOffer.select()} == {released.starts_at}


def test_removing_blocked_time_offers_what_it_frees(world):
    from portal.bookings.hours_admin import add_block, delete_block
    from portal.kernel.timefmt import to_local
    only_one_fieldworker(world)
    time = booked_time(world)
    cancel(world, time.booking)  # nobody waits yet: nothing offered
    local = to_local(time.starts_at, Settings.current().timezone).replace(tzinfo=None)
    block = add_block(None, local, local + timedelta(hours=2), "Team day", admin_actor(world),
                      utcnow())
    waiting_customers(world, time.day, count=2)
    assert not offer_emails()
    delete_block(block.id, admin_actor(world))
    assert [to for to, _ in offer_emails()] == ["wait1@example.com", "wait2@example.com"]


def test_tampered_and_foreign_offer_links_are_refused(app, client, world, released):
    from types import SimpleNamespace

    from portal.bookings.links import make_token
    from portal.bookings.waitlist_links import make_offer_token
    set_mode(0)
    cancel(world, released.booking)
    _, link = offer_emails()[0]
    offer = WaitlistOffer.select().order_by(WaitlistOffer.id).first()
    forged = make_offer_token(app.config["SECRET_KEY"], SimpleNamespace(
        id=offer.id, nonce="not-its-nonce", expires_at=offer.expires_at))
    other_key = make_offer_token("another-secret", offer)
    booking_link = "/l/w/" + make_token(app.config["SECRET_KEY"], "view", released.booking)
    before = state()
    # Cut short, another offer's nonce, signed with another key, a booking link's token (its
    # own salt), absurdly long: each a 4xx with words, nothing changed.
    for path in (link[:-3] + "xyz", f"/l/w/{forged}", f"/l/w/{other_key}", booking_link,
                 "/l/w/" + "A" * 3000):
        for response in (client.get(path), client.post(path, data={"csrf_token": "x"})):
            assert response.status_code in (400, 404, 414), (path, response.status_code)
            if response.status_code == 404:
                words = response.get_data(as_text=True)
                assert "Open the link from the email again" in words or "copied" in words \
                    or len(path) > 2000, path
    assert state() == before


def test_a_time_freed_again_goes_to_those_who_lost_the_race(world, released):
    from portal.bookings.waitlist_offers import claim_offer
    set_mode(0)
    cancel(world, released.booking)
    first = WaitlistOffer.select().order_by(WaitlistOffer.id).first()
    booking, _ = claim_offer(first.id, first.nonce)
    cancel(world, booking)  # the winner cancels in turn: the other two hear again
    assert [to for to, _ in offer_emails()][3:] == ["wait2@example.com", "wait3@example.com"]
