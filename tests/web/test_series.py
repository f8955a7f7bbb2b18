"""Recurring series through HTTP: staff book one from New booking (Repeat), taken dates are
listed and may be skipped, bad input changes nothing; a customer cancels "this and following"
or "the whole series", each visit by the same policy, in one transaction and one email."""
import re
from datetime import timedelta

import pytest

from portal.audit import AuditEvent
from portal.bookings.models import CANCELLED, SCHEDULED, Booking
from portal.bookings.scheduling import book_appointment
from portal.bookings.schedule_models import SlotClaim
from portal.bookings.series_models import BookingSeries
from portal.integrations.models import Integration
from portal.integrations.webhook_models import WebhookDelivery
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.kernel.timefmt import to_local, when
from portal.messaging.models import OutboxMessage
from tests.support.back_office import everything
from tests.support.forms import csrf_from, login
from tests.support.pages import text
from tests.support.request_context import _push_request_context  # noqa: F401 (one g a request)
from tests.support.series import (book_weekly, calendars, series_emails, series_start, visits,
                                  weekly_series)
from tests.support.series import casey, staff  # noqa: F401 (fixtures)


@pytest.fixture
def weekly(staff, world):
    """A weekly series of six for Casey, booked by staff, every visit subscribed to webhooks."""
    # Subscribed directly (the endpoint is never called here: deliveries are only queued).
    Integration.create(name="CalSync", kind="calendar", secret="s" * 40,
                       endpoint_url="https://cal.example.com/hook",
                       events="booking.created booking.cancelled")
    return weekly_series(staff, world)


def test_staff_book_a_weekly_series_each_visit_a_booking_of_its_own(weekly, world):
    assert [b.series_position for b in weekly] == [1, 2, 3, 4, 5, 6]
    tz = world.settings.timezone
    days = [to_local(b.starts_at, tz) for b in weekly]
    assert all(later.date() - earlier.date() == timedelta(weeks=1)
               for earlier, later in zip(days, days[1:]))
    assert len({d.time() for d in days}) == 1  # the wall-clock time is kept
    assert len({b.ref for b in weekly}) == 6
    confirmed = OutboxMessage.select().where(OutboxMessage.dedupe_key.startswith(
        "booking_confirmed")).count()
    assert confirmed == 6  # each visit confirmed with its own .ics
    assert SlotClaim.select().where(SlotClaim.booking.in_([b.id for b in weekly])).count() > 0
    assert WebhookDelivery.select().where(WebhookDelivery.event_type == "booking.created") \
        .count() == 6
    [made] = AuditEvent.select().where(AuditEvent.subject_type == "series")
    assert "Every week on" in made.after and "6 visits" in made.after


def test_a_taken_date_is_listed_nothing_is_booked_and_a_second_submit_skips_it(
        staff, world, app):
    slot = series_start(world.service)
    taken_at = slot.starts_at + timedelta(weeks=2)
    with app.test_request_context():  # every fieldworker busy at the third visit's time
        for worker in (world.fw, world.fw2):
            book_appointment(world.other.id, world.service.id, taken_at,
                             Actor("admin", world.admin.id), channel="admin",
                             fieldworker=worker.id)
    before = everything()
    response = book_weekly(staff, world, slot)
    assert response.status_code == 409
    page = text(response)
    assert "1 of the dates can't be booked" in page and "Nothing was booked yet" in page
    day = to_local(taken_at, world.settings.timezone).date().isoformat()
    assert f'name="skip" value="{day}"' in page
    assert everything() == before and BookingSeries.select().count() == 0

    response = book_weekly(staff, world, slot, skip=day)
    assert response.status_code == 302, text(response)
    [series] = BookingSeries.select()
    made = visits(series.id)
    assert len(made) == 5 and taken_at not in [b.starts_at for b in made]


@pytest.mark.parametrize("changes, field_message", [
    ({"repeat": "daily"}, "Choose how the visit repeats from the list."),
    ({"repeat_every": "5"}, "Enter how many weeks apart: a whole number from 1 to 4."),
    ({"repeat_count": "abc"}, "Enter the number of visits: a whole number from 2 to 52."),
    ({"repeat_count": "53"}, "Enter the number of visits: a whole number from 2 to 52."),
    ({"repeat_end": "never"}, "Say when the series ends"),
    ({"repeat_end": "until", "repeat_until": "soon"}, "Enter the last date as a date"),
    ({"repeat_end": "until", "repeat_until": "2001-01-01"},
     "The series must end after the first visit's date."),
    ({"skip": "not-a-day"}, "Enter the date to skip as a date"),
    ({"start": "yesterday"}, "Please pick one of the times shown."),
])
def test_bad_repeat_input_is_a_clear_422_and_books_nothing(staff, world, changes,
                                                           field_message):
    before = everything()
    response = book_weekly(staff, world, series_start(world.service), **changes)
    assert response.status_code == 422
    assert field_message in text(response)
    assert everything() == before and BookingSeries.select().count() == 0


def cancel_page(client, booking):
    response = client.get(f"/bookings/{booking.ref}/cancel")
    assert response.status_code == 200
    return text(response)


def cancel(client, booking, scope, page=None, **data):
    page = page or cancel_page(client, booking)
    versions = dict(re.findall(r'name="versions_(\w+)" value="([^"]*)"', page))
    form = {"csrf_token": csrf_from(page), "version": str(booking.version), "scope": scope,
            "versions_following": versions.get("following", ""),
            "versions_all": versions.get("all", ""), "note": "", **data}
    return client.post(f"/bookings/{booking.ref}/cancel", data=form)


def test_this_and_following_from_the_third_cancels_three_to_six_and_leaves_the_rest(
        weekly, casey, world, app):
    third = weekly[2]
    page = cancel_page(casey, third)
    for b in weekly[2:]:
        assert f'data-ref="{b.ref}"' in page
    response = cancel(casey, third, "following", page)
    assert response.status_code == 302
    state = {b.ref: Booking.get_by_id(b.id) for b in weekly}
    assert [state[b.ref].status for b in weekly] == [SCHEDULED] * 2 + [CANCELLED] * 4
    assert [state[b.ref].version for b in weekly[:2]] == [b.version for b in weekly[:2]]
    # The first two keep their claims and their webhook history; each cancelled visit has one.
    assert SlotClaim.select().where(SlotClaim.booking.in_([b.id for b in weekly[:2]])).count()
    assert not SlotClaim.select().where(SlotClaim.booking.in_([b.id for b in weekly[2:]])).count()
    hooks = [d.body for d in WebhookDelivery.select().where(
        WebhookDelivery.event_type == "booking.cancelled")]
    assert sorted(next(b.ref for b in weekly if b.ref in body) for body in hooks) == sorted(
        b.ref for b in weekly[2:])
    assert WebhookDelivery.select().where(WebhookDelivery.event_type == "booking.created") \
        .count() == 6
    # One email to the customer, listing the four dates, one calendar cancel per visit.
    assert not OutboxMessage.select().where(
        OutboxMessage.dedupe_key.startswith("booking_cancelled")).count()
    [mail] = series_emails(app)
    assert mail.to_address == world.customer.email
    tz = world.settings.timezone
    for b in weekly[2:]:
        assert when(b.starts_at, tz) in mail.body_text
    for b in weekly[:2]:
        assert when(b.starts_at, tz) not in mail.body_text
    assert {uid for uid, method, _ in calendars(mail.ics)} == {f"{b.ref}@rebook"
                                                               for b in weekly[2:]}
    assert {method for _, method, _ in calendars(mail.ics)} == {"CANCEL"}
    # History: each booking's own event, and one naming the series action.
    assert AuditEvent.select().where((AuditEvent.subject_type == "booking")
                                     & (AuditEvent.action == "cancelled")).count() == 4
    [action] = AuditEvent.select().where(AuditEvent.action == "cancelled_following")
    assert all(b.ref in action.after for b in weekly[2:])


def test_the_whole_series_refuses_the_visit_inside_the_notice_window(weekly, casey, world,
                                                                     app):
    # The first visit is within the notice window, the others well outside it.
    hours_to_first = (weekly[0].starts_at - utcnow()).total_seconds() / 3600
    world.settings.cancel_notice_hours = int(hours_to_first) + 24
    world.settings.save()
    page = cancel_page(casey, weekly[1])
    assert "stays booked" in page and "Cancelling online closes" in page
    response = cancel(casey, weekly[1], "all", page)
    assert response.status_code == 302
    statuses = [Booking.get_by_id(b.id).status for b in weekly]
    assert statuses == [SCHEDULED] + [CANCELLED] * 5
    [mail] = series_emails(app)
    assert "still booked" in mail.body_text and when(
        weekly[0].starts_at, world.settings.timezone) in mail.body_text
    assert len(calendars(mail.ics)) == 5


def test_a_visit_changed_since_the_page_loaded_fails_the_whole_choice(weekly, casey, app):
    page = cancel_page(casey, weekly[2])
    Booking.update(version=Booking.version + 1).where(Booking.id == weekly[4].id).execute()
    before = everything()
    response = cancel(casey, weekly[2], "following", page)
    assert response.status_code == 409
    assert "changed since the page loaded" in text(response)
    assert everything() == before and not series_emails(app)


@pytest.mark.parametrize("scope", ["everything-ever", "others"])
def test_a_made_up_scope_is_refused_and_changes_nothing(weekly, casey, scope):
    before = everything()
    response = cancel(casey, weekly[2], scope)
    assert response.status_code == 422
    assert "Choose which visits to cancel from the list." in text(response)
    assert everything() == before


def test_someone_elses_series_is_not_found(weekly, app, world):
    other = app.test_client()
    login(other, world.other.email)
    response = other.post(f"/bookings/{weekly[2].ref}/cancel",
                          data={"scope": "all", "csrf_token": csrf_from(text(other.get("/bookings")))})
    assert response.status_code == 404
    assert Booking.get_by_id(weekly[2].id).status == SCHEDULED


def test_staff_cancel_the_rest_of_a_series_from_the_admin_page(weekly, staff, world):
    page = text(staff.get(f"/admin/bookings/{weekly[3].ref}/cancel"))
    assert "The whole series (what remains)" in page
    versions = dict(re.findall(r'name="versions_(\w+)" value="([^"]*)"', page))
    response = staff.post(f"/admin/bookings/{weekly[3].ref}/cancel", data={
        "csrf_token": csrf_from(page), "version": str(weekly[3].version), "scope": "all",
        "versions_all": versions["all"], "note": "Moving away"})
    assert response.status_code == 302, text(response)
    assert {Booking.get_by_id(b.id).status for b in weekly} == {CANCELLED}


def test_a_fee_an_admin_adds_is_not_spread_over_the_series_or_dropped(weekly, staff):
    page = text(staff.get(f"/admin/bookings/{weekly[3].ref}/cancel"))
    versions = dict(re.findall(r'name="versions_(\w+)" value="([^"]*)"', page))
    before = everything()
    response = staff.post(f"/admin/bookings/{weekly[3].ref}/cancel", data={
        "csrf_token": csrf_from(page), "version": str(weekly[3].version), "scope": "all",
        "versions_all": versions["all"], "add_fee": "y", "fee": "25.00"})
    assert response.status_code == 422
    assert "A fee you add is for this visit alone" in text(response)
    assert everything() == before


def test_each_visit_page_says_it_is_part_of_a_series(weekly, casey, staff):
    assert "Visit 2 of a repeating series" in text(casey.get(f"/bookings/{weekly[1].ref}"))
    assert "Visit 5 of a repeating series" in text(
        staff.get(f"/admin/bookings/{weekly[4].ref}"))


def test_the_emailed_cancel_link_offers_the_same_choices(weekly, app):
    from portal.bookings.links import make_token
    url = f"/l/{make_token(app.config['SECRET_KEY'], 'cancel', weekly[1])}/cancel"
    visitor = app.test_client()  # nobody logged in: the link is the key to this one booking
    page = text(visitor.get(url))
    assert "This and following visits" in page and f'data-ref="{weekly[5].ref}"' in page
    versions = dict(re.findall(r'name="versions_(\w+)" value="([^"]*)"', page))
    response = visitor.post(url, data={"csrf_token": csrf_from(page), "scope": "following",
                                       "version": str(weekly[1].version),
                                       "versions_following": versions["following"]})
    assert response.status_code == 302
    assert [Booking.get_by_id(b.id).status for b in weekly] == [SCHEDULED] + [CANCELLED] * 5
    [action] = AuditEvent.select().where(AuditEvent.action == "cancelled_following")
    assert action.channel == "email_link" and action.actor_kind == "customer"



def test_the_series_cancel_step_reads_a_fixed_number_of_queries(weekly, casey, world):
    from tests.support.queries import queries_for
    single = queries_for(casey, f"/bookings/{world.upcoming.ref}/cancel")
    # Staff, invoices, lines, payments, refunds, tiers and the visits: read once for all six.
    assert queries_for(casey, f"/bookings/{weekly[0].ref}/cancel") == single + 7
    # The move step reads what a single visit's does, and the series' later visits once.
    single_move = queries_for(casey, f"/bookings/{world.upcoming.ref}/reschedule")
    assert queries_for(casey, f"/bookings/{weekly[0].ref}/reschedule") == single_move + 1
