"""Settings > Customer Portal > Flags & Permissions, and the rules it sets, through HTTP."""
import pytest

from portal.audit import AuditEvent
from portal.bookings.models import Booking
from portal.settings import CancellationReason, Settings
from tests.support.cancelling import effects, post_cancel, unchanged
from tests.support.forms import csrf_from, login, logout

FORM = {"customers_may_cancel": "y", "customers_may_reschedule": "y", "cancel_notice_hours": "0",
        "reminder_hours": "24",
        "reschedule_notice_hours": "", "blocked_message": "", "real_time_availability": "y"}


def save(client, **changes):
    data = dict(FORM, **changes)
    data = {k: v for k, v in data.items() if v is not None}
    data["csrf_token"] = csrf_from(client.get("/admin/settings/portal").get_data(as_text=True))
    return client.post("/admin/settings/portal", data=data)


def reason_post(client, url, **data):
    data["csrf_token"] = csrf_from(client.get("/admin/settings/portal").get_data(as_text=True))
    return client.post(url, data=data)


def as_customer(client, world):
    logout(client)
    login(client, world.customer.email)
    return client


def test_only_admins_open_settings(client, world):
    assert client.get("/admin/settings/portal").status_code == 302  # to login
    for who in (world.customer, world.fw):
        login(client, who.email)
        assert client.get("/admin/settings/portal").status_code == 403
        logout(client)


def test_saving_writes_an_audit_event_with_before_and_after(admin_client, world):
    response = save(admin_client, cancel_notice_hours="24", customers_may_cancel=None,
                    blocked_message="Call us on 555-0100 to cancel.")
    assert response.status_code == 302
    s = Settings.current()
    assert (s.cancel_notice_hours, s.customers_may_cancel, s.blocked_message) == (
        24, False, "Call us on 555-0100 to cancel.")
    event = AuditEvent.get(AuditEvent.action == "portal_settings_changed")
    assert event.before_data == {"cancel_notice_hours": 0, "customers_may_cancel": True,
                                 "blocked_message": ""}
    assert event.after_data["cancel_notice_hours"] == 24 and event.actor_kind == "admin"


@pytest.mark.parametrize("field,value,message", [
    ("cancel_notice_hours", "-1", "between 0 and 8760"),
    ("cancel_notice_hours", "abc", "Not a valid integer"),
    ("cancel_notice_hours", "", "Enter a number of hours"),
    ("reschedule_notice_hours", "99999", "between 0 and 8760"),
    ("blocked_message", "x" * 501, "500 characters"),
])
def test_bad_settings_are_refused_and_nothing_saved(admin_client, world, field, value, message):
    response = save(admin_client, **{field: value, "customers_may_cancel": None})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert Settings.current().customers_may_cancel is True
    assert AuditEvent.select().count() == 0


def test_flag_off_disables_cancel_for_customers_with_a_reason(admin_client, world):
    save(admin_client, customers_may_cancel=None)
    client = as_customer(admin_client, world)
    html = client.get(f"/bookings/{world.upcoming.ref}").get_data(as_text=True)
    assert "disabled" in html and "Online cancellation is not available" in html
    assert f'href="/bookings/{world.upcoming.ref}/cancel"' not in html
    response = post_cancel(client, world.upcoming)
    assert response.status_code == 409
    assert effects(world.upcoming) == unchanged(world.upcoming)


def test_notice_window_shows_the_business_message(admin_client, world):
    save(admin_client, cancel_notice_hours="24", blocked_message="Too late online: call 555-0100.")
    client = as_customer(admin_client, world)
    soon = client.get(f"/bookings/{world.soon.ref}").get_data(as_text=True)
    assert "Too late online: call 555-0100." in soon and "disabled" in soon
    assert post_cancel(client, world.soon).status_code == 409
    assert Booking.get_by_id(world.soon.id).status == "scheduled"
    later = client.get(f"/bookings/{world.upcoming.ref}").get_data(as_text=True)
    assert f'href="/bookings/{world.upcoming.ref}/cancel"' in later


def test_the_window_closing_while_the_modal_is_open(customer_client, world):
    csrf = csrf_from(customer_client.get(f"/bookings/{world.soon.ref}/cancel")
                     .get_data(as_text=True))
    Settings.update(cancel_notice_hours=12).execute()  # the admin changes it meanwhile
    response = post_cancel(customer_client, world.soon, headers={"HX-Request": "true"},
                           csrf_token=csrf)
    assert response.status_code == 409 and "12 hours" in response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#modal-root"
    assert effects(world.soon) == unchanged(world.soon)


def test_reason_is_stored_and_shown_to_staff(customer_client, world):
    reason = CancellationReason.get(CancellationReason.label == "Schedule conflict")
    assert post_cancel(customer_client, world.upcoming, reason=reason.id, note="Work trip"
                       ).status_code == 302
    booking = Booking.get_by_id(world.upcoming.id)
    assert (booking.cancel_reason_id, booking.cancel_reason_label) == (reason.id,
                                                                       "Schedule conflict")
    event = AuditEvent.get(AuditEvent.action == "cancelled")
    assert event.after_data["reason"] == "Schedule conflict"
    logout(customer_client)
    login(customer_client, world.admin.email)
    assert "Schedule conflict" in customer_client.get("/admin/bookings").get_data(as_text=True)


def test_other_requires_a_note(customer_client, world):
    other = CancellationReason.get(CancellationReason.is_other)
    response = post_cancel(customer_client, world.upcoming, reason=other.id, note="")
    assert response.status_code == 422 and "say why in the note" in response.get_data(
        as_text=True)
    assert effects(world.upcoming) == unchanged(world.upcoming)
    assert post_cancel(customer_client, world.upcoming, reason=other.id,
                       note="Moving away").status_code == 302


def test_modal_lists_active_reasons_with_other_last(customer_client, world):
    html = customer_client.get(f"/bookings/{world.upcoming.ref}/cancel").get_data(as_text=True)
    assert html.index("Schedule conflict") < html.index(">Other<")


@pytest.mark.parametrize("bad", ["999", "abc", "-1"])
def test_forged_or_unknown_reason_is_refused(customer_client, world, bad):
    response = post_cancel(customer_client, world.upcoming, reason=bad)
    assert response.status_code == 422
    assert effects(world.upcoming) == unchanged(world.upcoming)


def test_reasons_add_rename_reorder_deactivate(admin_client, world):
    assert reason_post(admin_client, "/admin/settings/reasons",
                       label="Moving house").status_code == 302
    moving = CancellationReason.get(CancellationReason.label == "Moving house")
    labels = [r.label for r in CancellationReason.listed()]
    assert labels[-2:] == ["Moving house", "Other"]

    reason_post(admin_client, f"/admin/settings/reasons/{moving.id}", action="up")
    labels = [r.label for r in CancellationReason.listed()]
    assert labels[-3:] == ["Moving house", "Illness or emergency", "Other"]

    reason_post(admin_client, f"/admin/settings/reasons/{moving.id}", action="rename",
                label="Relocating")
    reason_post(admin_client, f"/admin/settings/reasons/{moving.id}", action="deactivate")
    assert "Relocating" not in [r.label for r in CancellationReason.listed()]
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.id)]
    assert actions == ["reason_added", "reason_moved", "reason_renamed", "reason_deactivated"]


@pytest.mark.parametrize("label,message", [
    ("", "needs a name"), ("   ", "needs a name"), ("x" * 81, "80 characters"),
    ("schedule CONFLICT", "already a reason called"),
])
def test_bad_reason_labels_are_refused(admin_client, world, label, message):
    count = CancellationReason.select().count()
    response = reason_post(admin_client, "/admin/settings/reasons", label=label)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert CancellationReason.select().count() == count


def test_other_cannot_be_deactivated_and_forged_actions_fail(admin_client, world):
    other = CancellationReason.get(CancellationReason.is_other)
    response = reason_post(admin_client, f"/admin/settings/reasons/{other.id}",
                           action="deactivate")
    assert response.status_code == 422 and "built in" in response.get_data(as_text=True)
    assert reason_post(admin_client, f"/admin/settings/reasons/{other.id}",
                       action="delete").status_code == 422
    assert reason_post(admin_client, "/admin/settings/reasons/9999",
                       action="up").status_code == 404
    assert CancellationReason.get_by_id(other.id).active


def test_renamed_reason_keeps_its_old_label_in_history(admin_client, world):
    reason = CancellationReason.get(CancellationReason.label == "Price")
    Booking.update(status="cancelled", cancel_reason=reason, cancel_reason_label="Price").where(
        Booking.id == world.upcoming.id).execute()
    reason_post(admin_client, f"/admin/settings/reasons/{reason.id}", action="rename",
                label="Too expensive")
    reason_post(admin_client, f"/admin/settings/reasons/{reason.id}", action="deactivate")
    assert Booking.get_by_id(world.upcoming.id).cancel_reason_label == "Price"
    html = admin_client.get("/admin/bookings").get_data(as_text=True)
    assert "Price" in html


def test_deactivated_reason_cannot_be_chosen(customer_client, world):
    reason = CancellationReason.get(CancellationReason.label == "Price")
    CancellationReason.update(active=False).where(CancellationReason.id == reason.id).execute()
    html = customer_client.get(f"/bookings/{world.upcoming.ref}/cancel").get_data(as_text=True)
    assert ">Price<" not in html
    assert post_cancel(customer_client, world.upcoming, reason=reason.id).status_code == 422
