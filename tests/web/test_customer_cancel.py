"""The customer cancel flow through HTTP: fragments and pages, effects, and every refusal."""
import json
from datetime import timedelta

import pytest

from portal.audit import AuditEvent
from portal.bookings.models import Booking
from portal.messaging.models import Notification, OutboxMessage
from tests.support.cancelling import HX, effects, post_cancel, token, unchanged
from tests.support.factories import booking
from tests.support.forms import csrf_from, login, logout


def test_booking_page_offers_cancel(customer_client, world):
    html = customer_client.get(f"/bookings/{world.upcoming.ref}").get_data(as_text=True)
    assert "Scheduled" in html and f'/bookings/{world.upcoming.ref}/cancel' in html
    assert "Fred Worker" in html and "$90.00" in html


def test_confirm_is_a_modal_fragment_for_htmx(customer_client, world):
    response = customer_client.get(f"/bookings/{world.upcoming.ref}/cancel", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.vary
    assert html.lstrip().startswith("<dialog") and "<html" not in html
    assert "This action cannot be undone." in html
    assert 'maxlength="255"' in html and "0 / 255" in html


def test_confirm_is_a_full_page_without_htmx(customer_client, world):
    response = customer_client.get(f"/bookings/{world.upcoming.ref}/cancel")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html and "<dialog" not in html
    assert "Keep booking" in html and "This action cannot be undone." in html


def test_htmx_cancel_swaps_the_booking_and_does_everything(customer_client, world):
    response = post_cancel(customer_client, world.upcoming, headers=HX, note="Away that week")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<article id="booking-{world.upcoming.ref}"')
    assert "Cancelled" in html and "Schedule an appointment" in html
    assert ">Cancel booking<" not in html
    trigger = json.loads(response.headers["HX-Trigger-After-Settle"])
    assert trigger == {"bookingCancelled": {"ref": world.upcoming.ref}}

    booking = Booking.get_by_id(world.upcoming.id)
    assert (booking.status, booking.cancel_channel, booking.cancel_note) == (
        "cancelled", "portal", "Away that week")
    assert (booking.cancelled_by_kind, booking.cancelled_by_id) == ("customer",
                                                                   world.customer.id)
    assert booking.version == world.upcoming.version + 1 and booking.cancelled_at is not None

    event = AuditEvent.get(AuditEvent.subject_id == booking.id)
    assert (event.action, event.actor_kind, event.channel, event.note) == (
        "cancelled", "customer", "portal", "Away that week")
    assert event.before_data["status"] == "scheduled"
    assert event.after_data["status"] == "cancelled"

    mail = OutboxMessage.get()
    assert mail.to_address == "customer@example.com" and booking.ref in mail.subject
    assert "View the booking:\nhttp://localhost/l/" in mail.body_text
    assert "Away that week" in mail.body_text and "cancelled" in mail.body_html

    notices = {n.staff_id: n.message for n in Notification.select()}
    assert set(notices) == {world.fw.id, world.fw2.id}
    assert all(booking.ref in m and "Casey Customer" in m and m.endswith(": Away that week")
               for m in notices.values())


def test_plain_post_redirects_and_the_change_shows_on_reload(customer_client, world):
    response = post_cancel(customer_client, world.upcoming, note="")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/bookings/{world.upcoming.ref}")
    html = customer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your booking is cancelled" in html and "Schedule an appointment" in html
    assert Booking.get_by_id(world.upcoming.id).cancel_note is None


def test_cancelled_booking_leaves_upcoming_but_stays_listed(customer_client, world):
    post_cancel(customer_client, world.upcoming)
    upcoming = customer_client.get("/bookings").get_data(as_text=True)
    cancelled = customer_client.get("/bookings?show=cancelled").get_data(as_text=True)
    assert world.upcoming.ref not in upcoming and world.later.ref in upcoming
    assert world.upcoming.ref in cancelled and world.cancelled.ref in cancelled


def test_booking_tabs_swap_a_fragment_for_htmx(customer_client, world):
    response = customer_client.get("/bookings?show=past", headers=HX)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="booking-list">') and "<html" not in html
    assert world.past.ref in html and world.completed.ref in html and world.later.ref not in html
    assert "HX-Request" in response.vary


def test_no_cancel_button_for_closed_or_started_bookings(customer_client, world):
    for closed in (world.cancelled, world.completed):
        html = customer_client.get(f"/bookings/{closed.ref}").get_data(as_text=True)
        assert f"/bookings/{closed.ref}/cancel" not in html
    html = customer_client.get(f"/bookings/{world.past.ref}").get_data(as_text=True)
    assert "disabled" in html and "time has passed" in html


@pytest.mark.parametrize("which,status,text", [
    ("cancelled", 409, "already cancelled"),
    ("completed", 409, "completed"),
    ("past", 409, "time has passed"),
])
def test_refused_cancels_change_nothing(customer_client, world, which, status, text):
    booking = getattr(world, which)
    response = post_cancel(customer_client, booking, headers=HX)
    assert response.status_code == status
    assert text in response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#modal-root"
    assert effects(booking) == unchanged(booking)


def test_double_submit_cancels_once(customer_client, world):
    csrf = token(customer_client, world.upcoming)
    first = post_cancel(customer_client, world.upcoming, csrf_token=csrf)
    second = post_cancel(customer_client, world.upcoming, csrf_token=csrf)
    assert (first.status_code, second.status_code) == (302, 409)
    assert "already cancelled" in second.get_data(as_text=True)
    # One audit event; one email to the customer and one to each of the two fieldworkers.
    assert effects(world.upcoming)["audit"] == 1 and effects(world.upcoming)["outbox"] == 3


def test_stale_page_gets_409(customer_client, world):
    Booking.update(version=Booking.version + 1).where(Booking.id == world.upcoming.id).execute()
    response = post_cancel(customer_client, world.upcoming)  # the page's old version
    assert response.status_code == 409
    assert "changed since the page loaded" in response.get_data(as_text=True)
    assert Booking.get_by_id(world.upcoming.id).status == "scheduled"


def test_over_long_note_is_refused(customer_client, world):
    response = post_cancel(customer_client, world.upcoming, headers=HX, note="x" * 256)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "255 characters" in html
    assert response.headers["HX-Retarget"] == "#modal-root"
    assert effects(world.upcoming) == unchanged(world.upcoming)


def test_exactly_255_characters_is_fine(customer_client, world):
    assert post_cancel(customer_client, world.upcoming, note="x" * 255).status_code == 302
    assert len(Booking.get_by_id(world.upcoming.id).cancel_note) == 255


def test_note_required_when_the_business_says_so(customer_client, world):
    world.settings.cancel_note_required = True
    world.settings.save()
    response = post_cancel(customer_client, world.upcoming, note="   ")
    assert response.status_code == 422 and "add a short note" in response.get_data(as_text=True)
    assert effects(world.upcoming) == unchanged(world.upcoming)


def test_missing_csrf_is_refused(customer_client, world):
    for headers in ({}, HX):
        response = customer_client.post(f"/bookings/{world.upcoming.ref}/cancel",
                                        data={"note": "x", "version": 1}, headers=headers)
        assert response.status_code == 400
        assert "security token" in response.get_data(as_text=True)
    assert effects(world.upcoming) == unchanged(world.upcoming)


def test_another_customers_booking_is_not_found(customer_client, world):
    assert customer_client.get(f"/bookings/{world.others.ref}").status_code == 404
    assert customer_client.get(f"/bookings/{world.others.ref}/cancel").status_code == 404
    csrf = token(customer_client, world.upcoming)
    response = customer_client.post(f"/bookings/{world.others.ref}/cancel",
                                    data={"csrf_token": csrf, "version": 1})
    assert response.status_code == 404
    assert effects(world.others) == unchanged(world.others)


def test_unknown_booking_is_not_found(customer_client, world):
    response = customer_client.get("/bookings/BK-NOPE99")
    assert response.status_code == 404 and "find that page or booking" in response.get_data(as_text=True)


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(f"/bookings/{world.upcoming.ref}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.get(f"/bookings/{world.upcoming.ref}/cancel", headers=HX)
    assert response.status_code == 401 and "/login" in response.headers["HX-Redirect"]
    response = client.post(f"/bookings/{world.upcoming.ref}/cancel", data={"version": 1})
    assert response.status_code in (302, 400)
    assert effects(world.upcoming) == unchanged(world.upcoming)


def test_login_then_returns_to_the_booking(client, world):
    response = client.get(f"/bookings/{world.upcoming.ref}")
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    response = client.post(response.headers["Location"], data={
        "email": "customer@example.com", "password": "demo", "csrf_token": csrf_from(login_page),
        "next": f"/bookings/{world.upcoming.ref}"})
    assert response.headers["Location"] == f"/bookings/{world.upcoming.ref}"


def test_login_ignores_offsite_next(client, world):
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": "customer@example.com", "password": "demo",
                                           "csrf_token": csrf_from(page),
                                           "next": "https://evil.example/"})
    assert response.headers["Location"] == "/bookings"


def test_wrong_password_is_a_clear_422(client, world):
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": "customer@example.com", "password": "nope",
                                           "csrf_token": csrf_from(page)})
    assert response.status_code == 422
    assert "don&#39;t match" in response.get_data(as_text=True)


def test_staff_cannot_use_the_customer_portal(client, world):
    login(client, world.admin.email)
    assert client.get(f"/bookings/{world.upcoming.ref}").status_code == 403


def test_customers_cannot_open_admin_or_fieldworker_pages(customer_client, world):
    for url in ("/admin/bookings", "/admin/emails", "/fieldworker/notifications"):
        assert customer_client.get(url).status_code == 403


def test_fieldworker_sees_the_cancellation_notice(client, customer_client, world):
    post_cancel(customer_client, world.upcoming, note="Away that week")
    logout(client)
    login(client, world.fw.email)
    html = client.get("/fieldworker/notifications").get_data(as_text=True)
    assert world.upcoming.ref in html and "Away that week" in html
    assert 'aria-label="1 unread"' in html


def test_admin_sees_status_and_email_log(client, customer_client, world):
    post_cancel(customer_client, world.upcoming, note="Away that week")
    logout(client)
    login(client, world.admin.email)
    html = client.get("/admin/bookings").get_data(as_text=True)
    assert world.upcoming.ref in html and "Away that week" in html
    log = client.get("/admin/emails").get_data(as_text=True)
    assert world.upcoming.ref in log and "Pending" in log
    message = OutboxMessage.get()
    assert client.get(f"/admin/emails/{message.id}").status_code == 200


def test_no_show_booking_cannot_be_cancelled(customer_client, world):
    no_show = booking(world.customer, world.service, -timedelta(hours=3), world.fw,
                      status="no_show")
    html = customer_client.get(f"/bookings/{no_show.ref}").get_data(as_text=True)
    assert "No-show" in html and f"/bookings/{no_show.ref}/cancel" not in html
    response = post_cancel(customer_client, no_show)
    assert response.status_code == 409 and "no-show" in response.get_data(as_text=True)
    assert effects(no_show) == unchanged(no_show)
