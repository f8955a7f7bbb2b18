"""Cancellation emails are rendered by the worker when it sends them, not in the request
(portal/messaging/rendering.py): the request stores plain values; the email log still shows
subject, recipient and the rendered message; a render that fails keeps the message, retryable
and visible; the old call style (a message already rendered) still queues and sends."""
import json

from portal.messaging import emails
from portal.messaging.models import DEAD, PENDING, SENT, OutboxMessage
from portal.messaging.outbox import enqueue_email, requeue, work_once
from portal.settings import Settings
from tests.support.cancelling import post_cancel
from tests.support.forms import login, logout


def stored(key_prefix):
    """The columns as the request left them (tuples: no rendering on read)."""
    return (OutboxMessage.select(OutboxMessage.template, OutboxMessage.context,
                                 OutboxMessage.body_text, OutboxMessage.body_html,
                                 OutboxMessage.ics, OutboxMessage.to_address,
                                 OutboxMessage.subject)
            .where(OutboxMessage.dedupe_key.startswith(key_prefix)).tuples())


def cancel(customer_client, world):
    assert post_cancel(customer_client, world.upcoming).status_code == 302
    key = f"booking_cancelled:{world.upcoming.id}:v{world.upcoming.version + 1}"
    return OutboxMessage.get(OutboxMessage.dedupe_key == key)


def test_the_request_stores_values_not_a_rendered_message(customer_client, world):
    cancel(customer_client, world)
    [(template, context, text, html, ics, to, subject)] = stored("booking_cancelled:")
    assert (template, text, html, ics) == ("booking_cancelled", "", "", "")
    assert to == world.customer.email
    assert subject == f"Your booking {world.upcoming.ref} is cancelled"
    values = json.loads(context)
    assert values["booking"]["ref"] == world.upcoming.ref and values["fee"] is None
    staff = list(stored("staff_booking_cancelled:"))
    assert len(staff) == 2 and {row[0] for row in staff} == {"staff_booking_cancelled"}
    assert all(row[2] == "" for row in staff)


def test_what_is_read_is_rendered_from_the_values(customer_client, world):
    row = cancel(customer_client, world)
    assert world.upcoming.ref in row.body_text and "View the booking:\nhttp://localhost/l/" in (
        row.body_text)
    assert 'href="http://localhost/l/' in row.body_html and "METHOD:CANCEL" in row.ics
    assert "ORGANIZER" in row.ics


def office(client, world):
    """The same browser, now the admin's."""
    logout(client)
    login(client, world.admin.email)
    return client


def test_the_email_log_lists_and_shows_it_before_and_after_sending(customer_client, world,
                                                                   smtp):
    row = cancel(customer_client, world)
    admin_client = office(customer_client, world)
    for state in ("queued", "sent"):
        listing = admin_client.get("/admin/emails").get_data(as_text=True)
        assert row.subject in listing and row.to_address in listing, state
        page = admin_client.get(f"/admin/emails/{row.id}").get_data(as_text=True)
        assert "View the booking:" in page and world.upcoming.ref in page, state
        frame = admin_client.get(f"/admin/emails/{row.id}/html").get_data(as_text=True)
        assert "View booking</a>" in frame, state
        work_once()
    assert OutboxMessage.get_by_id(row.id).status == SENT
    [message] = [m for m in smtp.parsed() if m["To"] == world.customer.email]
    assert world.upcoming.ref in message.get_body(("plain",)).get_content()


def test_a_render_that_fails_keeps_the_message_retryable_and_visible(customer_client,
                                                                      world, smtp):
    row = cancel(customer_client, world)
    admin_client = office(customer_client, world)
    good = row.context
    broken = json.loads(good)
    del broken["booking"]["ends_at"]  # the signed link needs it: the render raises
    OutboxMessage.update(context=json.dumps(broken)).where(OutboxMessage.id == row.id).execute()

    sent, failed = work_once()
    assert (sent, failed) == (2, 1)  # the fieldworkers' emails went; this one waits
    failed_row = OutboxMessage.get_by_id(row.id)
    assert failed_row.status == PENDING and failed_row.attempts == 1
    assert "ends_at" in failed_row.last_error
    assert [m["To"] for m in smtp.parsed()].count(world.customer.email) == 0

    page = admin_client.get(f"/admin/emails/{row.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "could not be put together" in text and "ends_at" in text and row.subject in text
    assert admin_client.get(f"/admin/emails/{row.id}/html").status_code == 200

    OutboxMessage.update(context=good).where(OutboxMessage.id == row.id).execute()
    requeue(row.id)
    assert work_once() == (1, 0)
    assert OutboxMessage.get_by_id(row.id).status == SENT
    assert [m["To"] for m in smtp.parsed()].count(world.customer.email) == 1


def test_an_unknown_template_goes_dead_after_its_attempts_not_lost(world, smtp):
    enqueue_email(dedupe_key="t:1", to="zoe@example.com", subject="From the future",
                  template="not_in_this_version", context="{}")
    OutboxMessage.update(attempts=7).execute()  # the last attempt
    assert work_once() == (0, 1)
    row = OutboxMessage.get()
    assert row.status == DEAD and "not_in_this_version" in row.last_error


def test_the_old_call_style_still_queues_a_rendered_message(world, smtp):
    assert enqueue_email(dedupe_key="old:1", to="zoe@example.com", subject="Hi",
                         text="Plain", html="<p>HTML</p>")
    assert not enqueue_email(dedupe_key="old:1", to="zoe@example.com", subject="Hi",
                             text="Plain")  # the dedupe key still decides
    assert work_once() == (1, 0)
    [message] = smtp.parsed()
    assert message.get_body(("plain",)).get_content().strip() == "Plain"


def test_a_cancellation_is_still_queued_once_per_version(world):
    booking = world.upcoming
    for _ in range(2):
        emails.queue_booking_cancelled(booking, world.customer, world.service,
                                       Settings.current())
    assert [key for (key,) in OutboxMessage.select(OutboxMessage.dedupe_key).tuples()] == [
        f"booking_cancelled:{booking.id}:v{booking.version}"]
