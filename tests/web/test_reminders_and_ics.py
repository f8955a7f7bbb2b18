"""Reminder emails (cron-safe, links only where the policy allows) and calendar parts."""
import email
import email.policy
from datetime import timedelta

from icalendar import Calendar

from portal.bookings.models import Booking
from portal.messaging import outbox
from portal.messaging.models import OutboxMessage
from portal.messaging.reminders import send_due_reminders
from portal.settings import Settings
from tests.support.cancelling import post_cancel


def reminders():
    return list(OutboxMessage.select().where(OutboxMessage.dedupe_key.startswith(
        "booking_reminder:")))


def test_reminders_go_out_once_for_bookings_inside_the_lead_time(app, world):
    assert send_due_reminders() == 1  # only the booking 5 hours ahead is within 24 hours
    assert send_due_reminders() == 0  # cron every minute: still one
    [message] = reminders()
    assert world.soon.ref in message.body_text and message.to_address == world.customer.email
    assert "Cancel booking:\nhttp://localhost/l/" in message.body_text


def test_a_moved_booking_gets_a_new_reminder(app, world):
    send_due_reminders()
    Booking.update(starts_at=world.soon.starts_at + timedelta(minutes=30)).where(
        Booking.id == world.soon.id).execute()
    assert send_due_reminders() == 1


def test_reminders_carry_no_cancel_link_the_policy_would_refuse(app, world):
    Settings.update(cancel_notice_hours=24).execute()  # the 5-hours-ahead booking is inside
    send_due_reminders()
    [message] = reminders()
    assert "/cancel" not in message.body_text and "/cancel" not in message.body_html
    assert "Please contact us on (555) 010-4477" in message.body_text


def test_switching_the_flag_off_removes_links_from_new_emails(app, world):
    Settings.update(customers_may_cancel=False, reminder_hours=24 * 30).execute()
    assert send_due_reminders() == 4  # soon, upcoming, later, and the other customer's
    assert all("/cancel" not in m.body_text for m in reminders())


def test_cli_sends_reminders(app, world):
    result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0 and "queued 1" in result.output


def parse_ics(text):
    cal = Calendar.from_ical(text)
    [event] = cal.walk("VEVENT")
    return cal, event


def test_cancellation_carries_an_ics_cancel_with_the_same_uid_and_higher_sequence(
        app, customer_client, world):
    send_due_reminders()
    request_cal, request_event = parse_ics(reminders()[0].ics)
    assert str(request_cal["METHOD"]) == "REQUEST"
    assert str(request_event["UID"]) == f"{world.soon.ref}@rebook"
    assert int(request_event["SEQUENCE"]) == 1

    post_cancel(customer_client, world.soon)
    cancel = OutboxMessage.get(OutboxMessage.dedupe_key.startswith("booking_cancelled:"))
    cal, event = parse_ics(cancel.ics)
    assert str(cal["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == str(request_event["UID"])
    assert int(event["SEQUENCE"]) > int(request_event["SEQUENCE"])
    assert event.decoded("DTSTART").replace(tzinfo=None) == world.soon.starts_at


def test_the_ics_travels_as_a_text_calendar_part(app, customer_client, world):
    post_cancel(customer_client, world.upcoming)
    row = OutboxMessage.get()
    message = email.message_from_string(outbox._as_mail(row).as_string(),
                                        policy=email.policy.default)
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "CANCEL"
    assert parse_ics(part.get_content())[1]["UID"] == f"{world.upcoming.ref}@rebook"
