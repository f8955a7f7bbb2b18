"""Confirmation, reschedule and staff-reschedule emails: parts, times, policy-gated links, .ics,
dedupe, SMTP delivery; and the signed reschedule link's GET (which changes nothing)."""
import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from portal.audit import AuditEvent
from portal.bookings.links import make_token
from portal.bookings.models import Assignment, Booking
from portal.bookings.services import cancel_booking
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.kernel.timefmt import when
from portal.messaging import emails
from portal.messaging.models import OutboxMessage
from portal.messaging.outbox import work_once
from portal.messaging.reminders import send_due_reminders
from portal.people import Staff
from portal.settings import Settings
from tests.support.cancelling import effects, unchanged
from tests.support.emails import CANCEL, RESCHEDULE, links
from tests.support.factories import person
from tests.support.forms import login, logout

TZ = "Australia/Sydney"  # far from UTC, so a time shown in UTC would not match


@pytest.fixture
def world(world):
    Settings.update(timezone=TZ).execute()
    world.settings = Settings.current()
    return world


def settings(**changes):
    if changes:
        Settings.update(**changes).execute()
    return Settings.current()


def rows(prefix):
    return list(OutboxMessage.select().where(OutboxMessage.dedupe_key.startswith(prefix))
                .order_by(OutboxMessage.id))


def confirm(world, booking=None, **changes):
    booking = booking or world.upcoming
    emails.queue_booking_confirmed(booking, world.customer, world.service, settings(**changes),
                                   utcnow())
    [row] = rows(f"booking_confirmed:{booking.id}:")
    return row


def move(booking, delta):
    """What a reschedule leaves on the booking row: new times, one more move, a new version."""
    old = booking.starts_at
    (Booking.update(starts_at=booking.starts_at + delta, ends_at=booking.ends_at + delta,
                    version=Booking.version + 1,
                    reschedule_count=Booking.reschedule_count + 1)
     .where(Booking.id == booking.id).execute())
    return Booking.get_by_id(booking.id), old


def reschedule(world, delta=timedelta(days=2), **changes):
    booking, old = move(world.upcoming, delta)
    emails.queue_booking_rescheduled(booking, world.customer, world.service,
                                     settings(**changes), old, utcnow())
    [row] = rows(f"booking_rescheduled:{booking.id}:")
    return booking, old, row


def parse_ics(text):
    cal = Calendar.from_ical(text)
    [event] = cal.walk("VEVENT")
    return cal, event


def path(url):
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", "localhost")
    return parts.path


# --- confirmation -------------------------------------------------------------------------

def test_confirmation_has_both_parts_the_local_time_and_an_invite(world):
    row = confirm(world)
    booking = world.upcoming
    local = when(booking.starts_at, TZ)
    assert row.to_address == world.customer.email
    assert row.subject == f"Booking confirmed: Regular clean on {local} ({booking.ref})"
    assert re.search(r"AE[SD]T", local)
    for body in (row.body_text, row.body_html):
        assert local in body and booking.ref in body and "12 Maple Street" in body
        assert "$90.00" in body and "Sparkle & Co. Cleaning" in unescape(body)
        assert "(555) 010-4477" in body  # the contact line at the bottom
    assert row.body_html.lstrip().startswith("<!doctype html>")
    assert row.body_text.startswith("Hello Casey Customer,")

    cal, event = parse_ics(row.ics)
    assert row.ics_method == "REQUEST" and str(cal["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"{booking.ref}@rebook"
    assert int(event["SEQUENCE"]) == booking.version == 1
    assert event.decoded("DTSTART").replace(tzinfo=None) == booking.starts_at
    assert event.decoded("DTEND").replace(tzinfo=None) == booking.ends_at


@pytest.mark.parametrize("changes, expected", [
    ({}, {RESCHEDULE, CANCEL}),
    ({"customers_may_cancel": False, "customers_may_reschedule": False}, set()),
    ({"cancel_notice_hours": 24 * 7}, set()),  # 3 days ahead: inside a week's notice
    ({"customers_may_reschedule": False}, {CANCEL}),
    ({"customers_may_cancel": False}, {RESCHEDULE}),
    ({"reschedule_notice_hours": 24 * 7}, {CANCEL}),
    ({"max_reschedules": 0}, {CANCEL}),
], ids=["allowed", "flags off", "notice window", "reschedule off", "cancel off",
        "reschedule window", "reschedule cap"])
def test_links_appear_only_while_the_policy_allows_them(world, changes, expected):
    row = confirm(world, **changes)
    found = links(row)
    assert set(found) - {"View booking"} == expected
    assert "View booking" in found  # viewing is always fine
    if "Cancel booking" not in found:
        assert "/cancel" not in row.body_text and "/cancel" not in row.body_html
        assert ">Cancel booking<" not in row.body_html
    if RESCHEDULE not in found:
        assert "/reschedule" not in row.body_text and RESCHEDULE not in row.body_html
    if not expected:
        assert "Please contact us on (555) 010-4477" in row.body_text
        assert ('Please contact us on <a href="tel:5550104477"' in row.body_html
                and ">(555) 010-4477</a>" in row.body_html)  # tappable on a phone


def test_links_open_the_booking_and_change_nothing(client, world):
    found = links(confirm(world))
    assert set(found) == {"View booking", RESCHEDULE, CANCEL}
    before = unchanged(world.upcoming) | {"outbox": 1}
    for url in found.values():
        for method in (client.get, client.head):
            response = method(path(url))
            assert response.status_code == 200, url
            if method is client.get:
                assert world.upcoming.ref in response.get_data(as_text=True)
    assert effects(world.upcoming) == before
    assert "/reschedule" in found[RESCHEDULE] and found[CANCEL].endswith("/cancel")


def test_confirming_twice_queues_once(world):
    for _ in range(2):
        emails.queue_booking_confirmed(world.upcoming, world.customer, world.service,
                                       settings(), utcnow())
    assert len(rows("booking_confirmed:")) == 1


def test_reminders_now_offer_rescheduling_too(world):
    send_due_reminders()
    [row] = rows("booking_reminder:")
    assert set(links(row)) == {"View booking", RESCHEDULE, CANCEL}
    OutboxMessage.delete().execute()
    settings(customers_may_reschedule=False)
    send_due_reminders()
    assert set(links(rows("booking_reminder:")[0])) == {"View booking", CANCEL}


# --- reschedule ---------------------------------------------------------------------------

def test_reschedule_email_shows_old_and_new_time_in_the_business_timezone(world):
    booking, old, row = reschedule(world)
    new_local, old_local = when(booking.starts_at, TZ), when(old, TZ)
    assert row.subject == f"Your booking {booking.ref} is moved to {new_local}"
    assert row.to_address == world.customer.email
    assert f"is moved to {new_local}" in row.body_text
    assert f"Was:      {old_local}" in row.body_text
    assert f"<s>{old_local}</s>" in row.body_html and f"moved to {new_local}" in row.body_html
    assert set(links(row)) == {"View booking", RESCHEDULE, CANCEL}
    assert "(555) 010-4477" in row.body_text and "(555) 010-4477" in row.body_html


def test_reschedule_links_follow_the_policy(world):
    _, _, row = reschedule(world, customers_may_reschedule=False)
    assert set(links(row)) == {"View booking", CANCEL}


def test_the_invite_moves_the_same_event_and_the_cancel_removes_it(world):
    first = confirm(world)
    booking, _, moved = reschedule(world)
    _, confirmed = parse_ics(first.ics)
    cal, event = parse_ics(moved.ics)
    assert moved.ics_method == "REQUEST" and str(cal["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == str(confirmed["UID"])
    assert int(event["SEQUENCE"]) == booking.version == 2 > int(confirmed["SEQUENCE"])
    assert event.decoded("DTSTART").replace(tzinfo=None) == booking.starts_at
    assert event.decoded("DTEND").replace(tzinfo=None) == booking.ends_at

    cancel_booking(booking.ref, Actor("customer", world.customer.id), channel="portal")
    [cancelled] = rows("booking_cancelled:")
    cancel_cal, cancel_event = parse_ics(cancelled.ics)
    assert str(cancel_cal["METHOD"]) == "CANCEL"
    assert str(cancel_event["UID"]) == str(event["UID"])
    assert int(cancel_event["SEQUENCE"]) > int(event["SEQUENCE"])


def test_rescheduling_twice_queues_once_per_version(world):
    booking, old, _ = reschedule(world)
    emails.queue_booking_rescheduled(booking, world.customer, world.service, settings(), old,
                                     utcnow())
    assert len(rows("booking_rescheduled:")) == 1
    booking, old = move(booking, timedelta(hours=1))  # moved again: a new message
    emails.queue_booking_rescheduled(booking, world.customer, world.service, settings(), old,
                                     utcnow())
    assert [r.dedupe_key for r in rows("booking_rescheduled:")] == [
        f"booking_rescheduled:{booking.id}:v2", f"booking_rescheduled:{booking.id}:v3"]


# --- staff --------------------------------------------------------------------------------

def staff_rows():
    return {r.to_address: r for r in rows("staff_booking_rescheduled:")}


def test_each_fieldworker_hears_what_the_move_means_for_them(world):
    fw3 = person(Staff, name="Hal New", email="fw3@example.com", role="fieldworker")
    gone = person(Staff, name="Ivy Gone", email="gone@example.com", role="fieldworker",
                  active=False)
    booking, old = move(world.upcoming, timedelta(days=1))
    old_staff, new_staff = [world.fw, world.fw2, gone], [world.fw, fw3, world.admin]
    args = (booking, world.customer, world.service, old_staff, new_staff, settings(), old)
    assert emails.queue_staff_booking_rescheduled(*args) == 3
    assert emails.queue_staff_booking_rescheduled(*args) == 0  # dedupe: once each
    sent = staff_rows()
    assert set(sent) == {"fw@example.com", "fw2@example.com", "fw3@example.com"}
    new_local, old_local = when(booking.starts_at, TZ), when(old, TZ)
    ref = booking.ref

    both = sent["fw@example.com"]  # on the job before and after
    assert both.subject == f"Job moved: Regular clean to {new_local} ({ref})"
    assert f"Your job {ref} is moved to {new_local}." in both.body_text
    assert f"Was:       {old_local}" in both.body_text and f"<s>{old_local}</s>" in both.body_html
    assert f"Open the job: http://localhost/fieldworker/jobs/{ref}" in both.body_text
    assert both.dedupe_key == f"staff_booking_rescheduled:{booking.id}:v2:{world.fw.id}"

    removed = sent["fw2@example.com"]  # before only
    assert removed.subject == f"Job no longer yours: Regular clean on {old_local} ({ref})"
    assert "no longer yours" in removed.body_text and "no longer yours" in removed.body_html
    assert new_local not in removed.body_text  # not their business any more
    assert "Your jobs: http://localhost/fieldworker/jobs\n" in removed.body_text

    added = sent["fw3@example.com"]  # after only
    assert added.subject == f"New job for you: Regular clean on {new_local} ({ref})"
    assert "New job for you" in added.body_text and "New job for you" in added.body_html
    assert old_local not in added.body_text and "Casey Customer" in added.body_text
    assert f"Open the job: http://localhost/fieldworker/jobs/{ref}" in added.body_text
    for row in sent.values():
        assert row.ics == "" and "Sparkle &amp; Co. Cleaning" in row.body_html


def test_the_staff_links_open_for_the_people_they_were_sent_to(client, world):
    fw3 = person(Staff, name="Hal New", email="fw3@example.com", role="fieldworker")
    booking, old = move(world.upcoming, timedelta(days=1))
    Assignment.delete().where((Assignment.booking == booking.id)
                              & (Assignment.staff == world.fw2.id)).execute()
    Assignment.create(booking=booking, staff=fw3)
    emails.queue_staff_booking_rescheduled(booking, world.customer, world.service,
                                           [world.fw, world.fw2], [world.fw, fw3], settings(),
                                           old)
    sent = staff_rows()
    for address, label in [("fw3@example.com", "Open the job"),
                           ("fw2@example.com", "Your jobs")]:
        [url] = re.findall(label + r": (\S+)", sent[address].body_text)
        login(client, address)
        response = client.get(path(url))
        assert response.status_code == 200, address
        logout(client)


def test_same_people_same_time_hear_nothing_new(world):
    booking = world.upcoming
    assert emails.queue_staff_booking_rescheduled(
        booking, world.customer, world.service, [world.fw], [world.fw, world.fw2], settings(),
        booking.starts_at) == 1
    assert set(staff_rows()) == {"fw2@example.com"}


# --- delivery -----------------------------------------------------------------------------

def test_a_reschedule_email_goes_out_over_smtp_with_its_invite(world, smtp):  # noqa: F811
    booking, old, row = reschedule(world)
    assert work_once() == (1, 0)
    [message] = smtp.parsed()
    assert message["To"] == world.customer.email
    assert str(message["Subject"]) == row.subject
    assert message["X-Rebook-Message"] == f"booking_rescheduled:{booking.id}:v2"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert when(booking.starts_at, TZ) in text and f"<s>{when(old, TZ)}</s>" in html
    [reschedule_url] = re.findall(RESCHEDULE + r":\s+(\S+)", text)
    assert f'href="{reschedule_url}"' in html
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    cal, event = parse_ics(part.get_content())
    assert str(event["UID"]) == f"{booking.ref}@rebook" and int(event["SEQUENCE"]) == 2
    assert event.decoded("DTSTART").replace(tzinfo=None) == booking.starts_at


# --- the signed reschedule link -----------------------------------------------------------

def reschedule_link(app, purpose, booking, **kw):
    return f"/l/{make_token(app.config['SECRET_KEY'], purpose, booking, **kw)}/reschedule"


def test_a_reschedule_link_opens_the_picker_and_changes_nothing(app, client, world):
    url = reschedule_link(app, "reschedule", world.upcoming)
    for _ in range(2):  # a mail scanner's GET and HEAD, twice
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Reschedule this booking" in html and 'type="date"' in html
        assert 'name="start"' in html or "No free times" in html
        assert client.head(url).status_code == 200
    assert client.post(url).status_code == 400  # no CSRF token: refused, nothing done
    assert effects(world.upcoming) == unchanged(world.upcoming)
    assert client.get("/bookings").status_code == 302  # still no login


def test_a_reschedule_link_moves_the_booking(app, client, world):
    from tests.support.forms import csrf_from
    from tests.support.slots import free
    url = reschedule_link(app, "reschedule", world.upcoming)
    slot = free(world.service)
    response = client.post(url, data={"csrf_token": csrf_from(client.get(url).get_data(
        as_text=True)), "version": world.upcoming.version, "start": slot.starts_at.isoformat()})
    assert response.status_code == 302 and "/l/" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert "Your booking is moved" in page
    moved = Booking.get_by_id(world.upcoming.id)
    assert (moved.starts_at, moved.reschedule_count) == (slot.starts_at, 1)
    event = AuditEvent.get(AuditEvent.action == "rescheduled")
    assert (event.actor_kind, event.channel) == ("customer", "email_link")
    assert client.get("/bookings").status_code == 302  # the link did not log anyone in


def test_a_reschedule_link_says_when_the_policy_refuses(app, client, world):
    settings(customers_may_reschedule=False)
    response = client.get(reschedule_link(app, "reschedule", world.upcoming))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Online rescheduling is not available" in html and world.upcoming.ref in html
    assert effects(world.upcoming) == unchanged(world.upcoming)


@pytest.mark.parametrize("case", ["cancel token", "view token", "expired", "booking over",
                                  "tampered"])
def test_bad_reschedule_links_get_the_friendly_page(app, client, world, case):
    secret = app.config["SECRET_KEY"]
    url = {
        "cancel token": f"/l/{make_token(secret, 'cancel', world.upcoming)}/reschedule",
        "view token": f"/l/{make_token(secret, 'view', world.upcoming)}/reschedule",
        "expired": reschedule_link(app, "reschedule", world.upcoming,
                                   expires_at=utcnow() - timedelta(minutes=1)),
        "booking over": reschedule_link(app, "reschedule", world.past),
        "tampered": reschedule_link(app, "reschedule", world.upcoming).replace(
            "/reschedule", "x/reschedule"),
    }[case]
    for method in (client.get, client.head):
        response = method(url)
        assert response.status_code in (404, 410)
    html = client.get(url).get_data(as_text=True)
    assert "This link is no longer valid" in html and "/login" in html
    assert effects(world.upcoming) == unchanged(world.upcoming)
    assert effects(world.past) == unchanged(world.past)


def test_the_reschedule_link_is_rate_limited_like_the_others(app, client, world):
    app.config["LINK_RATE_LIMIT"] = "3 per minute"
    try:
        url = reschedule_link(app, "reschedule", world.upcoming)
        assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    finally:
        app.config["LINK_RATE_LIMIT"] = "30 per minute"
