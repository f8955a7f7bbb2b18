"""Rescheduling and booking through the portal, the admin pages and the services: the slot is
claimed in the database, everything else commits with it, and every refusal changes nothing."""
from datetime import timedelta

import pytest

from portal.audit import AuditEvent
from portal.billing.models import Invoice, InvoiceLine
from portal.bookings.models import Booking
from portal.bookings.schedule_models import ServiceStaff, SlotClaim
from portal.kernel.timefmt import to_local
from portal.messaging.models import Notification, OutboxMessage
from portal.people import Customer
from portal.settings import Settings
from tests.support.cancelling import HX
from tests.support.forms import csrf_from, login
from tests.support.pages import text
from tests.support.slots import free


def slot_day(slot):
    """The business day a slot is on (the picker's date; today may be a closed day)."""
    return to_local(slot.starts_at, Settings.current().timezone).date()


def state(booking):
    fresh = Booking.get_by_id(booking.id)
    return {"starts_at": fresh.starts_at, "version": fresh.version, "status": fresh.status,
            "moves": fresh.reschedule_count,
            "audit": AuditEvent.select().where(AuditEvent.subject_id == booking.id).count(),
            "outbox": OutboxMessage.select().count(), "claims": SlotClaim.select().count(),
            "notices": Notification.select().count()}


def move(client, url, booking, slot, **data):
    page = text(client.get(url.rsplit("/", 1)[0]))
    data = {"csrf_token": csrf_from(page), "version": booking.version,
            "start": slot.starts_at.isoformat(), **data}
    return client.post(url, data={k: v for k, v in data.items() if v is not None},
                       headers=data.pop("headers", None) or {})


# --- Customer reschedules ----------------------------------------------------------------------

def test_customer_reschedules_in_the_modal(customer_client, world):
    url = f"/bookings/{world.upcoming.ref}/reschedule"
    slot = free(world.service)
    day = to_local(slot.starts_at, world.settings.timezone).date().isoformat()
    # Opened on a day with a free time (the booking's own day, three days from now, is a
    # closed day on some days of the week)
    modal = text(customer_client.get(f"{url}?date={day}", headers=HX))
    assert "Reschedule this booking" in modal and 'type="date"' in modal
    assert 'name="start"' in modal
    times = text(customer_client.get(f"{url}?date={day}",
                                     headers={**HX, "HX-Target": "reschedule-times"}))
    assert times.lstrip().startswith('<fieldset id="reschedule-times"')
    assert f'value="{slot.starts_at.isoformat()}"' in times

    before = state(world.upcoming)
    response = move(customer_client, url, world.upcoming, slot, date=day, headers=HX)
    assert response.status_code == 200, text(response)
    assert "Your booking is moved" in text(response)
    assert "bookingChanged" in response.headers["HX-Trigger-After-Settle"]
    after = state(world.upcoming)
    assert after["starts_at"] == slot.starts_at and after["moves"] == 1
    assert after["version"] == before["version"] + 1
    event = AuditEvent.get(AuditEvent.action == "rescheduled")
    assert (event.actor_kind, event.channel) == ("customer", "portal")
    assert event.before_data["starts_at"].startswith(str(world.upcoming.starts_at)[:16])
    keys = [m.dedupe_key for m in OutboxMessage.select()]
    assert f"booking_rescheduled:{world.upcoming.id}:v{after['version']}" in keys
    assert any(k.startswith("staff_booking_rescheduled:") for k in keys)
    assert after["claims"] > 0 and after["notices"] > before["notices"]
    # The kept fieldworkers hold the new time.
    held = {c.staff_id for c in SlotClaim.select()}
    assert held <= {world.fw.id, world.fw2.id}


def test_reschedule_works_without_javascript(customer_client, world):
    slot = free(world.service)
    response = move(customer_client, f"/bookings/{world.upcoming.ref}/reschedule",
                    world.upcoming, slot)
    assert response.status_code == 302
    page = text(customer_client.get(response.location))
    assert "Your booking is moved" in page
    assert Booking.get_by_id(world.upcoming.id).starts_at == slot.starts_at


@pytest.mark.parametrize("start,status,message", [
    ("not-a-time", 422, "pick one of the times"),
    ("2020-01-01T10:00:00", 422, ""),  # the past
    ("2026-13-01T10:00:00", 422, "pick one of the times"),
    ("", 422, "pick one of the times"),
])
def test_bad_times_are_refused_and_change_nothing(customer_client, world, start, status,
                                                  message):
    before = state(world.upcoming)
    page = text(customer_client.get(f"/bookings/{world.upcoming.ref}"))
    response = customer_client.post(f"/bookings/{world.upcoming.ref}/reschedule", data={
        "csrf_token": csrf_from(page), "version": world.upcoming.version, "start": start})
    assert response.status_code == status
    assert message.lower() in text(response).lower()
    assert state(world.upcoming) == before


def test_off_grid_and_out_of_hours_times_are_refused(customer_client, world):
    slot = free(world.service)
    before = state(world.upcoming)
    for start in (slot.starts_at + timedelta(minutes=7),
                  slot.starts_at.replace(hour=3, minute=0)):  # 3 AM UTC: night in New York
        response = move(customer_client, f"/bookings/{world.upcoming.ref}/reschedule",
                        world.upcoming, slot, start=start.isoformat())
        assert response.status_code == 422, (start, text(response)[:300])
    assert state(world.upcoming) == before


def test_a_malformed_date_is_a_clear_422(customer_client, world):
    response = customer_client.get(f"/bookings/{world.upcoming.ref}/reschedule?date=2026-02-31")
    assert response.status_code == 422 and "isn't a date" in text(response)


@pytest.mark.parametrize("setup,code,message", [
    (dict(customers_may_reschedule=False), 409, "Online rescheduling is not available"),
    (dict(reschedule_notice_hours=24 * 30), 409, "Rescheduling online closes"),
    (dict(max_reschedules=0), 409, "the most allowed online"),
])
def test_customer_rules_refuse_and_change_nothing(customer_client, world, setup, code, message):
    Settings.update(**setup).execute()
    before = state(world.upcoming)
    response = move(customer_client, f"/bookings/{world.upcoming.ref}/reschedule",
                    world.upcoming, free(world.service))
    assert response.status_code == code and message in text(response)
    assert state(world.upcoming) == before
    card = text(customer_client.get(f"/bookings/{world.upcoming.ref}"))
    assert f"/bookings/{world.upcoming.ref}/reschedule" not in card


def test_the_cap_counts_moves(customer_client, world):
    Settings.update(max_reschedules=1).execute()
    assert move(customer_client, f"/bookings/{world.upcoming.ref}/reschedule", world.upcoming,
                free(world.service)).status_code == 302
    moved = Booking.get_by_id(world.upcoming.id)
    response = move(customer_client, f"/bookings/{world.upcoming.ref}/reschedule", moved,
                    free(world.service, days_ahead=7))
    assert response.status_code == 409 and "already been moved once" in text(response)


def test_stale_page_and_other_peoples_bookings(customer_client, world):
    slot = free(world.service)
    Booking.update(version=Booking.version + 1).where(Booking.id == world.upcoming.id).execute()
    response = move(customer_client, f"/bookings/{world.upcoming.ref}/reschedule",
                    world.upcoming, slot)
    assert response.status_code == 409 and "changed since the page loaded" in text(response)
    response = move(customer_client, f"/bookings/{world.others.ref}/reschedule", world.others,
                    slot)
    assert response.status_code == 404
    assert Booking.get_by_id(world.others.id).starts_at == world.others.starts_at


# --- Admin reschedules ---------------------------------------------------------------------------

def test_admin_moves_inside_the_customer_window_and_picks_the_fieldworker(client, world):
    Settings.update(reschedule_notice_hours=24 * 30, customers_may_reschedule=False).execute()
    login(client, world.admin.email)
    slot = free(world.service)
    response = move(client, f"/admin/bookings/{world.soon.ref}/reschedule", world.soon, slot,
                    fieldworker=world.fw2.id)
    assert response.status_code == 302, text(response)
    page = text(client.get(f"/admin/bookings/{world.soon.ref}"))
    assert "Rescheduled" in page and "Gina Helper" in page
    moved = Booking.get_by_id(world.soon.id)
    assert moved.starts_at == slot.starts_at
    assert AuditEvent.get(AuditEvent.action == "rescheduled").channel == "admin"


# --- Claims: one fieldworker, one place at a time ---------------------------------------------

def test_a_slot_is_booked_once_per_fieldworker_and_cancelling_frees_it(customer_client, world):
    ServiceStaff.create(service=world.service, staff=world.fw)  # only Fred does this service
    slot = free(world.service, days_ahead=6)
    page = text(customer_client.get("/book"))
    first = customer_client.post("/book", data={"csrf_token": csrf_from(page),
                                                "service": world.service.id,
                                                "start": slot.starts_at.isoformat()})
    assert first.status_code == 302
    booked = Booking.get(Booking.starts_at == slot.starts_at)
    assert "Booked!" in text(customer_client.get(first.location))
    second = customer_client.post("/book", data={"csrf_token": csrf_from(page),
                                                 "service": world.service.id,
                                                 "date": slot_day(slot).isoformat(),
                                                 "start": slot.starts_at.isoformat()})
    assert second.status_code == 409
    assert "That time was just taken" in text(second)
    assert 'name="start"' in text(second)  # fresh times come with the message
    assert Booking.select().where(Booking.starts_at == slot.starts_at).count() == 1

    cancel_page = text(customer_client.get(f"/bookings/{booked.ref}"))
    customer_client.post(f"/bookings/{booked.ref}/cancel",
                         data={"csrf_token": csrf_from(cancel_page), "version": booked.version})
    assert not SlotClaim.select().where(SlotClaim.booking == booked.id).exists()
    third = customer_client.post("/book", data={"csrf_token": csrf_from(page),
                                                "service": world.service.id,
                                                "start": slot.starts_at.isoformat()})
    assert third.status_code == 302


def test_booking_creates_invoice_email_audit_and_notice(customer_client, world):
    slot = free(world.service)
    page = text(customer_client.get(
        f"/book?service={world.service.id}&date={slot_day(slot).isoformat()}"))
    assert "Schedule an appointment" in page and 'name="start"' in page
    response = customer_client.post("/book", data={"csrf_token": csrf_from(page),
                                                   "service": world.service.id,
                                                   "start": slot.starts_at.isoformat()})
    assert response.status_code == 302
    booking = Booking.get(Booking.starts_at == slot.starts_at)
    assert (booking.status, booking.customer_id, booking.price) == (
        "scheduled", world.customer.id, world.service.price)
    lines = list(InvoiceLine.select().join(Invoice).where(Invoice.booking == booking.id))
    assert [(line.kind, line.amount) for line in lines] == [("service", 9000)]
    assert AuditEvent.get(AuditEvent.action == "created").channel == "portal"
    assert OutboxMessage.get(OutboxMessage.dedupe_key.startswith("booking_confirmed:"))
    assert Notification.get(Notification.kind == "booking_created").booking_id == booking.id


@pytest.mark.parametrize("business,customer", [(False, True), (True, False)])
def test_online_booking_switched_off(customer_client, world, business, customer):
    Settings.update(online_booking=business).execute()
    Customer.update(may_book_online=customer).where(Customer.id == world.customer.id).execute()
    page = text(customer_client.get("/book"))
    assert "Online booking is not available" in page and 'name="start"' not in page
    slot = free(world.service)
    response = customer_client.post("/book", data={"csrf_token": csrf_from(
        text(customer_client.get("/bookings"))), "service": world.service.id,
        "start": slot.starts_at.isoformat()})
    assert response.status_code == 403
    assert not Booking.select().where(Booking.starts_at == slot.starts_at).exists()


def test_a_service_the_customer_cannot_book(customer_client, world):
    from portal.bookings.models import Service
    retired = Service.create(name="Retired", duration_minutes=60, price=100, active=False)
    page = text(customer_client.get("/book"))
    response = customer_client.post("/book", data={"csrf_token": csrf_from(page),
                                                   "service": retired.id,
                                                   "start": free(world.service).starts_at
                                                   .isoformat()})
    assert response.status_code in (404, 422)
    assert Booking.select().where(Booking.service == retired.id).count() == 0


def test_the_database_refuses_a_double_claim_even_when_python_checks_are_skipped(world):
    """The unique (staff, slot_start) index is the last word, not the availability check."""
    from peewee import IntegrityError
    from portal.bookings import claims
    from portal.kernel.errors import Conflict
    start = world.later.starts_at
    claims.hold(world.later.id, [world.fw.id], start, start + timedelta(hours=2))
    with pytest.raises(Conflict, match="just taken"):
        claims.hold(world.others.id, [world.fw.id], start + timedelta(minutes=45),
                    start + timedelta(hours=1))
    with pytest.raises(IntegrityError):  # and a raw insert that skips claims.hold entirely
        SlotClaim.create(staff=world.fw.id, booking=world.others.id,
                         slot_start=list(claims.cells(start, start + timedelta(minutes=1)))[0])
    assert SlotClaim.select().where(SlotClaim.booking == world.others.id).count() == 0


def test_a_busy_fieldworker_is_swapped_for_a_free_one_or_the_move_is_refused(customer_client,
                                                                             world):
    from portal.kernel.actors import Actor
    from portal.bookings.scheduling import book_appointment
    admin = Actor("admin", world.admin.id, "Ada Admin")
    slot = free(world.service, days_ahead=9)
    # Fred (who has world.later) is taken at the target time by another customer's visit.
    book_appointment(world.other.id, world.service.id, slot.starts_at, admin, channel="admin",
                     fieldworker=world.fw.id)
    response = move(customer_client, f"/bookings/{world.later.ref}/reschedule", world.later,
                    slot)
    assert response.status_code == 302, text(response)
    moved = Booking.get_by_id(world.later.id)
    assert moved.starts_at == slot.starts_at
    assert [a.staff_id for a in moved.assignments] == [world.fw2.id]  # Gina was free

    # Only Fred does this service now, and he is busy then: refused, nothing changed.
    ServiceStaff.create(service=world.service, staff=world.fw)
    before = state(world.upcoming)
    response = move(customer_client, f"/bookings/{world.upcoming.ref}/reschedule",
                    world.upcoming, slot)
    assert response.status_code in (409, 422), text(response)
    assert state(world.upcoming) == before


def test_times_on_the_fall_back_day_carry_their_zone():
    """On 1 Nov 2026 New York's 1:30 AM happens twice: the picker must tell them apart."""
    from datetime import datetime
    from portal.kernel.timefmt import local_time, mixed_offsets
    tz = "America/New_York"
    first, second = datetime(2026, 11, 1, 5, 30), datetime(2026, 11, 1, 6, 30)  # UTC
    assert mixed_offsets([first, second], tz)
    assert (local_time(first, tz, True), local_time(second, tz, True)) == ("1:30 AM EDT",
                                                                           "1:30 AM EST")
    assert not mixed_offsets([datetime(2026, 11, 2, 14), datetime(2026, 11, 2, 15)], tz)
