"""New booking (admin) through HTTP: the picker (with htmx fragments), booking for a customer
on file or a new one, what a booking brings with it (invoice, claims, audit, emails with links
and .ics, the fieldworker's notice), and every refusal leaving the database as it was."""
from datetime import datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from portal.audit import AuditEvent
from portal.billing.models import Invoice, InvoiceLine
from portal.bookings.hours import DEFAULT_WEEK
from portal.bookings.models import Booking, Service
from portal.bookings.schedule_models import ServiceStaff, SlotClaim
from portal.kernel.clock import utcnow
from portal.kernel.timefmt import to_local
from portal.messaging.models import Notification, OutboxMessage
from portal.people import Customer
from tests.support.back_office import (HX, _push_request_context, admin_client, everything, post,
                                       text)
from tests.support.emails import CANCEL, RESCHEDULE, links
from tests.support.factories import booking as make_booking
from tests.support.queries import queries_for
from tests.support.slots import free

URL = "/admin/bookings/new"


def day_of(slot, world):
    return to_local(slot.starts_at, world.settings.timezone).date().isoformat()


def book(client, world, slot, **data):
    form = {"customer": str(world.customer.id), "service": str(world.service.id),
            "date": day_of(slot, world), "start": slot.starts_at.isoformat(),
            "address": "", "notes": "", **data}
    return post(client, URL, {k: v for k, v in form.items() if v is not None},
                page=f"{URL}?customer={world.customer.id}")


def at(starts_at):
    """A start that is not one of the picker's own."""
    return SimpleNamespace(starts_at=starts_at)


def newest():
    return Booking.select().order_by(Booking.id.desc()).get()


def local_utc(day, hour, minute, world):
    """Naive UTC for a business-local wall-clock time."""
    local = datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(world.settings.timezone))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def test_page_with_the_customer_chosen_offers_free_times(admin_client, world):
    slot = free(world.service)
    page = text(admin_client.get(f"{URL}?customer={world.customer.id}&date={day_of(slot, world)}"))
    assert "Casey Customer" in page and "Choose another customer" in page
    assert ">12 Maple Street</textarea>" in page  # the visit's address starts as theirs
    assert f'value="{slot.starts_at.isoformat()}"' in page
    assert "Show times" in page and 'name="csrf_token"' in page
    assert "New customer" not in page


def test_page_without_a_customer_searches_and_offers_a_new_one(admin_client, world):
    page = text(admin_client.get(f"{URL}?q=olive"))
    assert "Olive Other" in page and f"customer={world.other.id}" in page
    assert "Casey Customer" not in page and "New customer" in page
    page = text(admin_client.get(f"{URL}?q=nobody"))
    assert "No customer matches “nobody”" in page


def test_htmx_swaps_the_times_and_the_fieldworkers(admin_client, world):
    slot = free(world.service, days_ahead=6)
    ServiceStaff.create(service=world.service, staff=world.fw2)
    response = admin_client.get(
        f"{URL}?customer={world.customer.id}&service={world.service.id}&date={day_of(slot, world)}",
        headers={**HX, "HX-Target": "new-booking-times"})
    body = text(response)
    assert response.status_code == 200 and body.lstrip().startswith('<div id="new-booking-times"')
    assert f'value="{slot.starts_at.isoformat()}"' in body
    assert 'id="nb-fieldworker-field" hx-swap-oob="true"' in body
    assert "Gina Helper" in body and "Fred Worker" not in body  # only Gina does it now
    assert "<html" not in body
    matches = text(admin_client.get(f"{URL}?q=casey",
                                    headers={**HX, "HX-Target": "customer-matches"}))
    assert matches.lstrip().startswith('<div id="customer-matches"') and "Casey Customer" in matches


def test_bad_arguments_become_notes(admin_client, world):
    page = text(admin_client.get(f"{URL}?customer=abc&service=999&fieldworker=x&date=someday"))
    assert "That isn't a customer we know" in page
    assert "That service isn't offered any more; showing Regular clean." in page
    assert "That isn't a date; showing today." in page
    page = text(admin_client.get(f"{URL}?customer=999999&date=2001-01-01"))
    assert "That customer no longer exists." in page
    assert "Pick a date between today and 180 days ahead" in page


def test_admin_books_for_a_customer_on_file(app, admin_client, world):
    slot = free(world.service)
    response = book(admin_client, world, slot, notes="Gate code 4321.\nDog is friendly.")
    booking = newest()
    assert response.status_code == 302, text(response)
    assert response.location.endswith(f"/admin/bookings/{booking.ref}")
    assert (booking.customer_id, booking.starts_at, booking.status) == (
        world.customer.id, slot.starts_at, "scheduled")
    assert booking.address == "12 Maple Street"
    assert booking.notes == "Gate code 4321.\nDog is friendly."
    # The invoice with its service line, and the fieldworker's cells claimed.
    invoice = Invoice.get(Invoice.booking == booking.id)
    assert [(line.kind, line.amount) for line in invoice.lines] == [("service", 9000)]
    staff = [a.staff_id for a in booking.assignments]
    assert len(staff) == 1 and staff[0] in slot.staff_ids
    assert SlotClaim.select().where(SlotClaim.booking == booking.id).count() == 8
    event = AuditEvent.get((AuditEvent.subject_id == booking.id)
                           & (AuditEvent.subject_type == "booking"))
    assert (event.action, event.actor_kind, event.channel) == ("created", "admin", "admin")
    # The confirmation: links to view, reschedule and cancel, and a calendar invite.
    mail = OutboxMessage.get(OutboxMessage.dedupe_key == f"booking_confirmed:{booking.id}:v1")
    assert mail.to_address == "customer@example.com"
    found = links(mail)
    assert set(found) == {"View booking", RESCHEDULE, CANCEL}
    anonymous = app.test_client()
    for url in found.values():
        opened = anonymous.get(url.removeprefix("http://localhost"))
        assert opened.status_code == 200 and booking.ref in text(opened), url
    assert "BEGIN:VCALENDAR" in mail.ics and mail.ics_method == "REQUEST"
    notice = Notification.get(Notification.booking == booking.id)
    assert notice.staff_id == staff[0] and notice.kind == "booking_created"
    page = text(admin_client.get(response.location))
    assert f"Booked {booking.ref} for Casey Customer" in page
    assert "Gate code 4321." in page


def test_admin_chooses_the_fieldworker_and_the_address(admin_client, world):
    slot = free(world.service)
    response = book(admin_client, world, slot, fieldworker=str(world.fw2.id),
                    address="Flat 2\n14 Maple Street")
    assert response.status_code == 302, text(response)
    booking = newest()
    assert [a.staff_id for a in booking.assignments] == [world.fw2.id]
    assert booking.address == "Flat 2\n14 Maple Street"
    assert Customer.get_by_id(world.customer.id).address == "12 Maple Street"


def test_admin_books_for_a_new_customer(admin_client, world):
    slot = free(world.service)
    response = book(admin_client, world, slot, customer="", new_name="Pat Phoner",
                    new_email="Pat@Example.org", new_phone="555-010-7777",
                    address="9 Birch Lane")
    assert response.status_code == 302, text(response)
    pat = Customer.get(Customer.email == "pat@example.org")
    assert (pat.name, pat.phone, pat.address) == ("Pat Phoner", "555-010-7777", "9 Birch Lane")
    booking = newest()
    assert booking.customer_id == pat.id and booking.address == "9 Birch Lane"
    sent = {m.dedupe_key.split(":")[0] for m in OutboxMessage.select()
            .where(OutboxMessage.to_address == "pat@example.org")}
    assert sent == {"booking_confirmed", "account_invite"}
    page = text(admin_client.get(response.location))
    assert "and an invitation to set a password" in page


def refused(client, world, slot, status, message, **data):
    before = everything()
    response = book(client, world, slot, **data)
    assert response.status_code == status, text(response)[:2000]
    assert message in text(response)
    assert everything() == before


@pytest.mark.parametrize("data,message", [
    ({"new_email": "CUSTOMER@example.com"}, "already belongs to an account"),
    ({"new_email": "pat@example"}, "like name@example.com"),
    ({"new_phone": "12345"}, "7 to 20 digits"),
    ({"new_name": ""}, "Enter the customer's name."),
    ({"new_name": "x" * 121}, "120 characters"),
    ({"new_name": "", "new_email": "", "new_phone": ""}, "Choose a customer, or enter"),
])
def test_a_bad_new_customer_saves_nothing(admin_client, world, data, message):
    new = {"customer": "", "new_name": "Pat Phoner", "new_email": "pat@example.org",
           "new_phone": "555-010-7777", **data}
    refused(admin_client, world, free(world.service), 422, message, **new)


def test_a_time_in_the_past_saves_nothing_not_even_the_new_customer(admin_client, world):
    past = local_utc(to_local(utcnow(), world.settings.timezone).date() - timedelta(days=1),
                     10, 0, world)
    refused(admin_client, world, at(past), 422, "That time has already passed.", customer="",
            new_name="Pat Phoner", new_email="pat@example.org")
    assert not Customer.select().where(Customer.email == "pat@example.org").exists()


def test_outside_working_hours_off_the_grid_or_taken_saves_nothing(admin_client, world):
    slot = free(world.service, days_ahead=7)
    day = to_local(slot.starts_at, world.settings.timezone).date()
    refused(admin_client, world, at(local_utc(day, 3, 0, world)), 422, "We work")
    closing = DEFAULT_WEEK[day.weekday()][-1][1]  # the two-hour visit would run past it
    refused(admin_client, world, at(local_utc(day, closing // 60 - 1, 0, world)), 422,
            "so it can't start as late as")
    refused(admin_client, world, at(slot.starts_at + timedelta(minutes=10)), 422,
            "Appointments start every 30 minutes")
    ServiceStaff.create(service=world.service, staff=world.fw)
    assert book(admin_client, world, slot).status_code == 302
    refused(admin_client, world, slot, 409, "That time was just taken")


def test_an_inactive_service_or_unqualified_fieldworker_saves_nothing(admin_client, world):
    slot = free(world.service)
    ServiceStaff.create(service=world.service, staff=world.fw)
    refused(admin_client, world, slot, 422, "Gina Helper doesn't do Regular clean",
            fieldworker=str(world.fw2.id))
    Service.update(active=False).where(Service.id == world.service.id).execute()
    refused(admin_client, world, slot, 422, "Regular clean is no longer offered")


def test_no_time_or_over_long_notes_save_nothing(admin_client, world):
    slot = free(world.service)
    refused(admin_client, world, slot, 422, "Pick one of the free times.", start="")
    refused(admin_client, world, slot, 422, "notes to 2000 characters", notes="x" * 2001)
    refused(admin_client, world, slot, 422, "500 characters", address="x" * 501)
    refused(admin_client, world, slot, 422, "Please pick one of the times shown.",
            start="tomorrow at nine")


def test_missing_csrf_token_saves_nothing(admin_client, world):
    slot = free(world.service)
    before = everything()
    response = admin_client.post(URL, data={"customer": world.customer.id,
                                            "service": world.service.id,
                                            "start": slot.starts_at.isoformat()})
    assert response.status_code == 400 and "security token" in text(response)
    assert everything() == before


def test_the_new_booking_buttons(admin_client, world):
    assert 'href="/admin/bookings/new"' in text(admin_client.get("/admin/bookings"))
    page = text(admin_client.get(f"/admin/customers/{world.customer.id}"))
    assert f'href="/admin/bookings/new?customer={world.customer.id}"' in page
    assert InvoiceLine.select().count() == 0


def test_the_picker_uses_constant_queries(admin_client, world):
    slot = free(world.service, days_ahead=6)
    url = f"{URL}?customer={world.customer.id}&q=o&date={day_of(slot, world)}"
    before = queries_for(admin_client, url)
    for hour in range(20):
        make_booking(world.other, world.service,
                     slot.starts_at - utcnow() + timedelta(minutes=30 * hour), world.fw)
        Customer.create(name=f"Olga {hour}", email=f"olga{hour}@example.com")
    assert queries_for(admin_client, url) == before
