"""The cancel dialog's "Manual update required" alert (seed 003): staff are told to cancel in
a linked system that can't apply cancellations itself, nothing extra for one that can; the
customer's dialog stays plain and the admins are told instead."""
import pytest

from portal.bookings.links import make_token
from portal.bookings.models import Booking
from portal.bookings.services import cancel_booking
from portal.integrations.models import Integration
from portal.integrations.sync import manual_update
from portal.kernel.actors import Actor
from portal.messaging.models import Notification
from tests.support.cancelling import HX, post_cancel
from tests.support.forms import login, logout
from tests.support.pages import words

ALERT = "Manual update required: also cancel this booking in ClinicPro PMS"


def link(booking, integration, ref=None):
    Booking.update(integration=integration, external_ref=ref).where(
        Booking.id == booking.id).execute()
    return Booking.get_by_id(booking.id)


def staff_dialogs(booking):
    return [f"/admin/bookings/{booking.ref}/cancel",
            f"/admin/bookings/{booking.ref}/status?status=cancelled",
            f"/fieldworker/jobs/{booking.ref}/cancel"]


def test_staff_are_told_to_cancel_in_a_system_that_cannot(client, world, clinic):
    booking = link(world.upcoming, clinic, "CP-10421")
    admin_urls, fieldworker_urls = staff_dialogs(booking)[:2], staff_dialogs(booking)[2:]
    for email, urls in (("admin@example.com", admin_urls), ("fw@example.com", fieldworker_urls)):
        login(client, email)
        for url in urls:
            for headers in ({}, HX):  # the page without JavaScript, the modal with it
                text = words(client.get(url, headers=headers))
                assert f"{ALERT} (its reference there: CP-10421)." in text, (email, url)
        logout(client)


@pytest.mark.parametrize("linked", ["automatic", "none"])
def test_no_alert_when_the_system_applies_cancellations_or_there_is_none(
        admin_client, world, calsync, linked):
    booking = link(world.upcoming, calsync, "cal-1") if linked == "automatic" \
        else world.upcoming
    for url in staff_dialogs(booking)[:2]:
        for headers in ({}, HX):
            response = admin_client.get(url, headers=headers)
            assert response.status_code == 200
            assert "Manual update required" not in words(response)
            assert "This action cannot be undone." in words(response)


def test_an_automatic_system_switched_off_needs_the_manual_update(admin_client, world,
                                                                   calsync):
    booking = link(world.upcoming, calsync)
    Integration.update(active=False).where(Integration.id == calsync.id).execute()
    text = words(admin_client.get(f"/admin/bookings/{booking.ref}/cancel"))
    assert "Manual update required: also cancel this booking in CalSync." in text


def test_customers_see_no_staff_alert_and_the_admins_are_told_instead(customer_client, app,
                                                                     world, clinic):
    booking = link(world.upcoming, clinic, "CP-10421")
    assert "Manual update required" not in words(
        customer_client.get(f"/bookings/{booking.ref}/cancel", headers=HX))
    token = make_token(app.config["SECRET_KEY"], "cancel", booking)
    assert "Manual update required" not in words(customer_client.get(f"/l/{token}/cancel"))

    assert post_cancel(customer_client, booking, note="Flu").status_code == 302
    [notice] = Notification.select().where(Notification.kind == "manual_update_required")
    assert notice.staff_id == world.admin.id and notice.booking_id == booking.id
    assert notice.message == (f"Manual update required: booking {booking.ref} was cancelled "
                              "by Casey Customer (customer); also cancel it in ClinicPro PMS "
                              "(its reference there: CP-10421).")


def test_an_admin_who_saw_the_alert_gets_no_extra_notice_but_others_do(world, admin, clinic,
                                                                         calsync):
    cancel_booking(link(world.upcoming, clinic).ref, admin, channel="admin")
    fred = Actor("fieldworker", world.fw.id, world.fw.name, True)
    cancel_booking(link(world.later, clinic).ref, fred, channel="fieldworker")
    cancel_booking(link(world.others, calsync).ref, fred, channel="fieldworker")
    notices = list(Notification.select().where(Notification.kind == "manual_update_required"))
    assert [(n.booking_id, n.staff_id) for n in notices] == [(world.later.id, world.admin.id)]


def test_the_linked_system_cancelling_through_the_api_needs_no_manual_update(world, clinic):
    booking = link(world.upcoming, clinic)
    assert manual_update(booking, Actor("admin", 1, "Ada")).system == "ClinicPro PMS"
    assert manual_update(booking, Actor("integration", clinic.id, clinic.name)) is None
    assert manual_update(booking, Actor("integration", clinic.id + 1, "Other")) is not None
    assert manual_update(world.later) is None  # not linked: nothing to update
