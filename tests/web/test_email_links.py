"""Signed email links: one booking, no login, GET never acts, every bad token refused."""
from datetime import timedelta

import pytest

from portal.audit import AuditEvent
from portal.bookings.links import make_token
from portal.bookings.models import Booking
from portal.kernel.clock import utcnow
from portal.settings import Settings
from tests.support.cancelling import effects, unchanged
from tests.support.forms import csrf_from


def link(app, purpose, booking, **kw):
    token = make_token(app.config["SECRET_KEY"], purpose, booking, **kw)
    return f"/l/{token}" + ("/cancel" if purpose == "cancel" else "")


def test_view_link_opens_one_booking_without_logging_in(app, client, world):
    response = client.get(link(app, "view", world.upcoming))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and world.upcoming.ref in html and "Scheduled" in html
    assert client.get("/bookings").status_code == 302  # the rest of the account stays locked
    assert client.get(f"/bookings/{world.later.ref}").status_code == 302


def test_scanner_get_and_head_change_nothing(app, client, world):
    url = link(app, "cancel", world.upcoming)
    for _ in range(3):
        assert client.get(url).status_code == 200
        assert client.head(url).status_code == 200
        assert client.get(link(app, "view", world.upcoming)).status_code == 200
    assert effects(world.upcoming) == unchanged(world.upcoming)


def test_cancel_link_cancels_on_post_with_channel_email_link(app, client, world):
    url = link(app, "cancel", world.upcoming)
    page = client.get(url).get_data(as_text=True)
    assert "This action cannot be undone." in page and "hx-post" not in page
    response = client.post(url, data={"csrf_token": csrf_from(page), "note": "From my inbox",
                                      "version": world.upcoming.version})
    assert response.status_code == 302 and response.headers["Location"].startswith("/l/")
    booking = Booking.get_by_id(world.upcoming.id)
    assert (booking.status, booking.cancel_channel, booking.cancel_note) == (
        "cancelled", "email_link", "From my inbox")
    event = AuditEvent.get(AuditEvent.action == "cancelled")
    assert (event.channel, event.actor_kind, event.actor_id) == ("email_link", "customer",
                                                                world.customer.id)
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cancelled" in shown and "Schedule an appointment" in shown


def test_post_without_csrf_changes_nothing(app, client, world):
    response = client.post(link(app, "cancel", world.upcoming), data={"version": 1})
    assert response.status_code == 400
    assert effects(world.upcoming) == unchanged(world.upcoming)


def test_the_same_rules_apply_as_in_the_portal(app, client, world):
    Settings.update(customers_may_cancel=False).execute()
    url = link(app, "cancel", world.upcoming)
    response = client.get(url)
    assert response.status_code == 409
    assert "Online cancellation is not available" in response.get_data(as_text=True)
    Settings.update(customers_may_cancel=True).execute()
    page = client.get(url).get_data(as_text=True)
    Settings.update(customers_may_cancel=False).execute()  # switched off while the page is open
    response = client.post(url, data={"csrf_token": csrf_from(page), "version": 1})
    assert response.status_code == 409
    assert effects(world.upcoming) == unchanged(world.upcoming)


def bad_links(app, world):
    secret = app.config["SECRET_KEY"]
    good = make_token(secret, "cancel", world.upcoming)
    return {
        "tampered": f"/l/{good[:-3]}abc/cancel",
        "garbage": "/l/not-a-token/cancel",
        "wrong purpose": f"/l/{make_token(secret, 'view', world.upcoming)}/cancel",
        "other secret": f"/l/{make_token('another-secret', 'cancel', world.upcoming)}/cancel",
        "expired": link(app, "cancel", world.upcoming,
                        expires_at=utcnow() - timedelta(minutes=1)),
        "booking over": link(app, "cancel", world.past),
    }


@pytest.mark.parametrize("case", ["tampered", "garbage", "wrong purpose", "other secret",
                                  "expired", "booking over"])
def test_bad_links_get_a_friendly_page_and_change_nothing(app, client, world, case):
    url = bad_links(app, world)[case]
    response = client.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code in (404, 410)
    assert "This link is no longer valid" in html and "/login" in html
    post = client.post(url, data={"csrf_token": csrf_from(
        client.get("/login").get_data(as_text=True)), "version": 1})
    assert post.status_code in (404, 410)
    assert effects(world.upcoming) == unchanged(world.upcoming)
    assert effects(world.past) == unchanged(world.past)


def test_a_token_stops_working_if_the_booking_changes_hands(app, client, world):
    url = link(app, "view", world.upcoming)
    Booking.update(customer=world.other).where(Booking.id == world.upcoming.id).execute()
    assert client.get(url).status_code == 404


def test_link_endpoints_are_rate_limited(app, client, world):
    app.config["LINK_RATE_LIMIT"] = "5 per minute"
    try:
        url = link(app, "view", world.upcoming)
        codes = [client.get(url).status_code for _ in range(6)]
        assert codes == [200] * 5 + [429]
        response = client.get(url)
        assert "Too many tries" in response.get_data(as_text=True)
    finally:
        app.config["LINK_RATE_LIMIT"] = "30 per minute"
