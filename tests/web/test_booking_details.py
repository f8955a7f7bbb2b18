"""Edit booking details (admin): address, notes and fieldworkers in one transaction, with the
version checked, the slot claims moved, an audit event, and the fieldworkers told; every
refusal leaves the database as it was."""
from datetime import timedelta

import pytest

from portal.audit import AuditEvent
from portal.bookings import policy
from portal.bookings.models import Booking
from portal.bookings.schedule_models import ServiceStaff, SlotClaim
from portal.bookings.scheduling import book_appointment
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.messaging.models import Notification, OutboxMessage
from tests.support.back_office import (HX, _push_request_context, admin_client, everything, post,
                                       text)
from tests.support.factories import booking as make_booking
from tests.support.forms import login
from tests.support.slots import free


@pytest.fixture
def booked(app, world):
    """booked(fieldworker): a booking made the real way (it holds slot claims)."""
    def make(fieldworker, days_ahead=5):
        slot = free(world.service, days_ahead=days_ahead)
        with app.app_context():
            made = book_appointment(world.customer.id, world.service.id, slot.starts_at,
                                    admin_actor(world), channel="admin",
                                    fieldworker=fieldworker.id)
        OutboxMessage.delete().execute()  # only what the edit sends is of interest here
        Notification.delete().execute()
        return Booking.get_by_id(made.id)
    return make


def admin_actor(world):
    return Actor("admin", world.admin.id, world.admin.name)


def edit(client, booking, headers=None, **data):
    form = {"version": str(booking.version), "address": booking.address,
            "notes": booking.notes, **data}
    if "fieldworkers" not in data:
        form["fieldworkers"] = [str(a.staff_id) for a in booking.assignments]
    return post(client, f"/admin/bookings/{booking.ref}/details",
                {k: v for k, v in form.items() if v is not None},
                page=f"/admin/bookings/{booking.ref}", headers=headers)


def staff_of(booking):
    return sorted(a.staff_id for a in Booking.get_by_id(booking.id).assignments)


def test_the_form_as_a_modal_and_as_a_page(admin_client, world):
    url = f"/admin/bookings/{world.later.ref}/details"
    card = text(admin_client.get(f"/admin/bookings/{world.later.ref}"))
    assert f'href="{url}"' in card and "Edit details" in card
    modal = text(admin_client.get(url, headers=HX))
    assert modal.lstrip().startswith("<dialog data-modal") and "12 Maple Street" in modal
    assert 'name="fieldworkers"' in modal and 'name="version" value="1"' in modal
    page = text(admin_client.get(url))
    assert "<html" in page and "Edit details of" in page and 'name="csrf_token"' in page


def test_address_and_notes_change_and_the_fieldworker_is_told(admin_client, world, booked):
    booking = booked(world.fw)
    response = edit(admin_client, booking, headers=HX, address="Flat 2\n12 Maple Street",
                    notes="Key under the mat.")
    assert response.status_code == 200, text(response)
    assert "Details saved. The fieldworkers are told." in text(response)
    assert "Key under the mat." in text(response)
    assert "bookingChanged" in response.headers["HX-Trigger-After-Settle"]
    fresh = Booking.get_by_id(booking.id)
    assert (fresh.address, fresh.notes, fresh.version) == (
        "Flat 2\n12 Maple Street", "Key under the mat.", booking.version + 1)
    event = AuditEvent.get(AuditEvent.action == "details_changed")
    assert (event.actor_kind, event.channel, event.subject_id) == ("admin", "admin", booking.id)
    assert event.before_data == {"address": "12 Maple Street", "notes": "",
                                 "version": booking.version}
    assert event.after_data == {"address": "Flat 2\n12 Maple Street",
                                "notes": "Key under the mat.", "version": booking.version + 1}
    (notice,) = Notification.select()
    assert notice.staff_id == world.fw.id and notice.kind == "booking_details_changed"
    assert "address and notes changed" in notice.message
    (mail,) = OutboxMessage.select()
    assert mail.to_address == "fw@example.com" and "Job details changed" in mail.subject
    assert "Key under the mat." in mail.body_text and f"/fieldworker/jobs/{booking.ref}" \
        in mail.body_text


def test_the_fieldworker_sees_the_notes_on_the_job(app, admin_client, world, booked):
    booking = booked(world.fw)
    edit(admin_client, booking, notes="Ring twice.")
    fieldworker = app.test_client()
    login(fieldworker, world.fw.email)
    assert "Ring twice." in text(fieldworker.get(f"/fieldworker/jobs/{booking.ref}"))


def test_giving_the_job_to_someone_else_moves_the_claims(app, admin_client, world, booked):
    booking = booked(world.fw)
    def held():
        return [c.staff_id for c in SlotClaim.select().where(SlotClaim.booking == booking.id)]
    assert set(held()) == {world.fw.id}
    response = edit(admin_client, booking, fieldworkers=[str(world.fw2.id)])
    assert response.status_code == 302
    assert staff_of(booking) == [world.fw2.id]
    assert set(held()) == {world.fw2.id} and len(held()) == 8
    event = AuditEvent.get(AuditEvent.action == "details_changed")
    assert (event.before_data["staff"], event.after_data["staff"]) == (["Fred Worker"],
                                                                      ["Gina Helper"])
    notices = {n.staff_id: n for n in Notification.select()}
    assert notices[world.fw2.id].kind == "booking_assigned"
    assert notices[world.fw.id].kind == "booking_unassigned"
    assert notices[world.fw.id].booking_id is None  # no link to a job no longer theirs
    mails = {m.to_address: m.subject for m in OutboxMessage.select()}
    assert mails["fw2@example.com"].startswith("New job for you")
    assert mails["fw@example.com"].startswith("Job no longer yours")
    # Fred's time is free again: someone else can have it.
    with app.app_context():
        again = book_appointment(world.other.id, world.service.id, booking.starts_at,
                                 admin_actor(world), channel="admin", fieldworker=world.fw.id)
    assert again.starts_at == booking.starts_at


def test_adding_a_second_fieldworker(admin_client, world, booked):
    booking = booked(world.fw)
    edit(admin_client, booking, fieldworkers=[str(world.fw.id), str(world.fw2.id)])
    assert staff_of(booking) == sorted([world.fw.id, world.fw2.id])
    claims = SlotClaim.select().where(SlotClaim.booking == booking.id)
    assert claims.count() == 16
    assert [n.staff_id for n in Notification.select()] == [world.fw2.id]


def refused(client, booking, status, message, **data):
    before = everything()
    response = edit(client, booking, **data)
    assert response.status_code == status, text(response)[:1500]
    assert message in text(response)
    assert everything() == before


def test_someone_busy_or_unqualified_is_refused(admin_client, world, booked):
    booking = booked(world.fw)
    clash = make_booking(world.other, world.service,
                         booking.starts_at - utcnow() + timedelta(minutes=30), world.fw2)
    refused(admin_client, booking, 409, "Gina Helper is not free for this visit",
            fieldworkers=[str(world.fw2.id)])
    Booking.update(status="cancelled").where(Booking.id == clash.id).execute()
    ServiceStaff.create(service=world.service, staff=world.fw)
    refused(admin_client, booking, 422, "Gina Helper doesn't do Regular clean",
            fieldworkers=[str(world.fw2.id)])
    refused(admin_client, booking, 422, "can't take bookings",
            fieldworkers=[str(world.admin.id)])


@pytest.mark.parametrize("data,status,message", [
    ({"version": "0"}, 409, "changed since the page loaded"),
    ({"version": ""}, 422, "Reload the page and try again."),
    ({"fieldworkers": []}, 422, "Choose at least one fieldworker"),
    ({"fieldworkers": ["abc"]}, 422, "Choose fieldworkers from the list."),
    ({"address": "x" * 501}, 422, "500 characters"),
    ({"notes": "x" * 2001}, 422, "2000 characters"),
])
def test_bad_or_stale_forms_change_nothing(admin_client, world, booked, data, status,
                                          message):
    booking = booked(world.fw)
    refused(admin_client, booking, status, message, **{"notes": "New notes", **data})


def test_only_scheduled_bookings_are_editable(admin_client, world):
    page = text(admin_client.get(f"/admin/bookings/{world.cancelled.ref}"))
    assert "Edit details" not in page
    response = admin_client.get(f"/admin/bookings/{world.cancelled.ref}/details")
    assert response.status_code == 409 and "Its details can't be edited" in text(response)
    refused(admin_client, world.cancelled, 409, "already cancelled. Its details can't be edited",
            notes="Too late")
    completed = Booking.get_by_id(world.completed.id)
    refused(admin_client, completed, 409, "completed. Its details can't be edited",
            notes="Too late")


def test_a_visit_under_way_keeps_its_fieldworkers_but_takes_notes(admin_client, world):
    past = Booking.get_by_id(world.past.id)
    refused(admin_client, past, 409, "its fieldworkers can't change",
            fieldworkers=[str(world.fw2.id)])
    assert edit(admin_client, past, notes="Left the key with the neighbour.").status_code == 302
    assert Booking.get_by_id(past.id).notes == "Left the key with the neighbour."


def test_unchanged_form_writes_nothing(admin_client, world, booked):
    booking = booked(world.fw)
    before = everything()
    response = edit(admin_client, booking)
    assert response.status_code == 302
    assert everything() == before
    assert "Nothing to change." in text(admin_client.get(response.location))


def test_missing_csrf_token_changes_nothing(admin_client, world):
    before = everything()
    response = admin_client.post(f"/admin/bookings/{world.later.ref}/details",
                                 data={"version": "1", "notes": "x",
                                       "fieldworkers": [str(world.fw.id)]})
    assert response.status_code == 400 and "security token" in text(response)
    assert everything() == before


def test_unknown_booking_is_404(admin_client, world):
    assert admin_client.get("/admin/bookings/BK-ZZZZZZ/details").status_code == 404


@pytest.mark.parametrize("status,changing,code", [
    ("scheduled", False, "ok"), ("scheduled", True, "ok"),
    ("cancelled", False, "already_cancelled"), ("completed", False, "completed"),
    ("no_show", False, "no_show"),
])
def test_policy_table(world, status, changing, code):
    booking = Booking(status=status, starts_at=utcnow() + timedelta(days=1))
    admin = Actor("admin", world.admin.id)
    assert policy.can_edit_details(booking, admin, utcnow(), changing).code == code
    assert policy.can_edit_details(booking, Actor("fieldworker", world.fw.id, "", True),
                                   utcnow()).code == "no_permission"
    assert policy.can_edit_details(booking, Actor("customer", world.customer.id),
                                   utcnow()).code == "no_permission"
