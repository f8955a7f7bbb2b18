"""Admins and permitted fieldworkers cancel through the same command and policy."""
from datetime import timedelta

import pytest

from portal.audit import AuditEvent
from portal.bookings.models import Booking
from portal.messaging.models import Notification, OutboxMessage
from portal.settings import CancellationReason, Settings
from tests.support.cancelling import HX, effects, unchanged
from tests.support.factories import booking
from tests.support.forms import csrf_from, login


def staff_post(client, url, booking_, **data):
    data.setdefault("csrf_token", csrf_from(client.get(url.replace("/cancel", "")).get_data(
        as_text=True)))
    data.setdefault("version", booking_.version)
    return client.post(url, data=data, headers=data.pop("headers", {}))


@pytest.fixture
def admin_client(client, world):
    login(client, world.admin.email)
    return client


def test_admin_cancels_inside_the_customer_window_and_with_the_flag_off(admin_client, world):
    Settings.update(customers_may_cancel=False, cancel_notice_hours=48).execute()
    reason = CancellationReason.get(CancellationReason.label == "Illness or emergency")
    url = f"/admin/bookings/{world.soon.ref}/cancel"
    assert admin_client.get(url, headers=HX).status_code == 200
    response = staff_post(admin_client, url, world.soon, reason=reason.id, note="Cleaner ill",
                          headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Cancelled" in html and "History" in html
    b = Booking.get_by_id(world.soon.id)
    assert (b.status, b.cancel_channel, b.cancelled_by_kind) == ("cancelled", "admin", "admin")
    event = AuditEvent.get(AuditEvent.action == "cancelled")
    assert (event.actor_kind, event.channel, event.note) == ("admin", "admin", "Cleaner ill")
    assert OutboxMessage.get().to_address == world.customer.email
    assert Notification.select().where(Notification.staff == world.fw).count() == 1


def test_admin_booking_page_shows_the_history(admin_client, world):
    staff_post(admin_client, f"/admin/bookings/{world.upcoming.ref}/cancel", world.upcoming,
               note="Customer phoned")
    html = admin_client.get(f"/admin/bookings/{world.upcoming.ref}").get_data(as_text=True)
    assert "History" in html and "Cancelled" in html and "Customer phoned" in html
    assert "scheduled → cancelled" in html and "Ada Admin" in html


def test_nobody_cancels_after_the_start_time(admin_client, world):
    html = admin_client.get(f"/admin/bookings/{world.past.ref}").get_data(as_text=True)
    assert "disabled" in html and "no-show" in html
    response = staff_post(admin_client, f"/admin/bookings/{world.past.ref}/cancel", world.past)
    assert response.status_code == 409 and "no-show" in response.get_data(as_text=True)
    assert effects(world.past) == unchanged(world.past)


def test_permitted_fieldworker_cancels_an_assigned_job(client, world):
    login(client, world.fw.email)
    assert world.upcoming.ref in client.get("/fieldworker/jobs").get_data(as_text=True)
    url = f"/fieldworker/jobs/{world.upcoming.ref}/cancel"
    assert f'href="{url}"' in client.get(f"/fieldworker/jobs/{world.upcoming.ref}").get_data(
        as_text=True)
    response = staff_post(client, url, world.upcoming, note="Van broke down")
    assert response.status_code == 302
    b = Booking.get_by_id(world.upcoming.id)
    assert (b.status, b.cancel_channel, b.cancelled_by_id) == ("cancelled", "fieldworker",
                                                              world.fw.id)


def test_fieldworker_without_permission_has_no_control_and_gets_403(client, world):
    login(client, world.fw2.email)  # assigned to world.upcoming, may not edit status
    url = f"/fieldworker/jobs/{world.upcoming.ref}/cancel"
    page = client.get(f"/fieldworker/jobs/{world.upcoming.ref}")
    assert page.status_code == 200 and url not in page.get_data(as_text=True)
    assert "Cancel booking" not in page.get_data(as_text=True)
    assert client.get(url).status_code == 403
    response = staff_post(client, url, world.upcoming, note="forged")
    assert response.status_code == 403
    assert effects(world.upcoming) == unchanged(world.upcoming)


def test_fieldworker_cannot_see_or_cancel_someone_elses_job(client, world):
    mine_not = booking(world.other, world.service, timedelta(days=2), world.fw2)
    login(client, world.fw.email)
    assert client.get(f"/fieldworker/jobs/{mine_not.ref}").status_code == 404
    csrf = csrf_from(client.get("/fieldworker/jobs").get_data(as_text=True))
    response = client.post(f"/fieldworker/jobs/{mine_not.ref}/cancel",
                           data={"csrf_token": csrf, "version": 1})
    assert response.status_code == 404
    assert effects(mine_not) == unchanged(mine_not)


@pytest.mark.parametrize("who,expected", [(None, 302), ("customer", 403), ("fw", 403),
                                          ("fw2", 403), ("admin", 200)])
def test_admin_booking_pages_by_role(client, world, who, expected):
    if who:
        login(client, getattr(world, who).email)
    for url in (f"/admin/bookings/{world.upcoming.ref}",
                f"/admin/bookings/{world.upcoming.ref}/cancel", "/admin/bookings"):
        assert client.get(url).status_code == expected, url


def test_customers_cannot_use_staff_cancel(customer_client, world):
    csrf = csrf_from(customer_client.get("/bookings").get_data(as_text=True))
    for url in (f"/admin/bookings/{world.upcoming.ref}/cancel",
                f"/fieldworker/jobs/{world.upcoming.ref}/cancel"):
        assert customer_client.post(url, data={"csrf_token": csrf, "version": 1}
                                    ).status_code == 403
    assert effects(world.upcoming) == unchanged(world.upcoming)
