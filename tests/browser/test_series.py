"""Recurring series in a real browser: staff book a weekly series of six from New booking;
the customer cancels "this and following" from the third in the confirm modal (3-6 cancelled,
1-2 untouched with their reminders and webhooks, one email listing the four dates whose
calendar files cancel exactly those); and "the whole series" with the first visit inside the
notice window, which stays booked as the policy says (without JavaScript too)."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.bookings.models import CANCELLED, SCHEDULED, Booking, Service
from portal.bookings.series import book_series
from portal.bookings.series_models import WEEKLY, BookingSeries
from portal.bookings.series_rules import Rule
from portal.integrations.models import Integration
from portal.integrations.webhook_models import WebhookDelivery
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.kernel.timefmt import to_local, when
from portal.messaging.models import OutboxMessage
from portal.messaging.outbox import claim_batch, deliver_batch
from portal.messaging.reminders import send_due_reminders
from portal.people import Customer, Staff
from portal.settings import Settings
from tests.support.browsing import CUSTOMER, log_in, staff_log_in
from tests.support.series import calendars, ics_parts, visits
from tests.support.slots import free

pytestmark = pytest.mark.browser


def subscribe_webhooks():
    # Queued only (never delivered here): the endpoint is not called.
    Integration.create(name="Series hooks", kind="calendar", secret="s" * 40,
                       endpoint_url="https://cal.example.com/hook",
                       events="booking.created booking.cancelled")


def hooks(event, booking):
    ours = Integration.get(Integration.name == "Series hooks")
    return [d for d in WebhookDelivery.select().where(
        (WebhookDelivery.event_type == event) & (WebhookDelivery.integration == ours))
        if booking.ref in d.body]


def staff_book_weekly_six(page, demo):
    """Through New booking with the Repeat fieldset; returns the six visits."""
    customer = Customer.get(Customer.email == CUSTOMER)
    service = Service.get(Service.name == "Window cleaning")
    slot = free(service, days_ahead=21)
    tz = Settings.current().timezone
    day = to_local(slot.starts_at, tz).date().isoformat()
    staff_log_in(page, demo)
    page.goto(f"{demo}/admin/bookings/new?customer={customer.id}&service={service.id}"
              f"&date={day}")
    page.locator("#new-booking-times").get_by_label(
        to_local(slot.starts_at, tz).strftime("%-I:%M %p"), exact=True).check()
    repeat = page.locator("#nb-repeat")
    repeat.get_by_label("Every week or few weeks").check()
    repeat.get_by_label("Weeks between visits").select_option("1")
    repeat.get_by_label("After a number of visits").check()
    repeat.get_by_role("spinbutton", name=re.compile("Number of visits")).fill("6")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_text("Booked a series of 6 visits")).to_be_visible()
    [series] = BookingSeries.select()
    return visits(series.id)


def test_customer_cancels_this_and_following_from_the_third(browser, page, demo, app, smtp,
                                                            screenshot):
    from tests.support.browsing import new_context
    subscribe_webhooks()
    six = staff_book_weekly_six(page, demo)
    assert [b.status for b in six] == [SCHEDULED] * 6
    tz = Settings.current().timezone

    customer_page = new_context(browser).new_page()
    log_in(customer_page, demo)
    third = six[2]
    customer_page.goto(f"{demo}/bookings/{third.ref}")
    customer_page.wait_for_load_state()
    customer_page.locator("main").get_by_role("button", name="Cancel booking").click()
    dialog = customer_page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    scope = dialog.locator("#series-scope")
    following = scope.locator("[data-scope=following]")
    for b in six[2:]:
        expect(following.locator(f"[data-ref={b.ref}]")).to_contain_text(when(b.starts_at, tz))
        expect(following.locator(f"[data-ref={b.ref}]")).to_contain_text("cancelled")
    for b in six[:2]:
        expect(following.locator(f"[data-ref={b.ref}]")).to_have_count(0)
    following.get_by_label(re.compile("This and following visits")).check()
    screenshot(customer_page, "series-cancel-following")
    dialog.get_by_role("button", name="Cancel booking").click()
    expect(customer_page.get_by_text("Cancelled 4 visits")).to_be_visible()

    fresh = [Booking.get_by_id(b.id) for b in six]
    assert [b.status for b in fresh] == [SCHEDULED] * 2 + [CANCELLED] * 4
    assert [b.version for b in fresh[:2]] == [b.version for b in six[:2]]
    for b in six[:2]:  # the visits that still happen keep their webhook history
        assert len(hooks("booking.created", b)) == 1 and not hooks("booking.cancelled", b)
    for b in six[2:]:
        assert len(hooks("booking.cancelled", b)) == 1
    with app.test_request_context():
        # Reminders still go for visits 1-2, none for 3-6 (each run an hour before a visit).
        for b in six:
            send_due_reminders(now=b.starts_at - timedelta(hours=1))
        reminded = {m.dedupe_key.split(":")[1] for m in OutboxMessage.select().where(
            OutboxMessage.dedupe_key.startswith("booking_reminder:"))}
        assert reminded == {str(b.id) for b in six[:2]}
        OutboxMessage.delete().where(OutboxMessage.dedupe_key.startswith(
            "booking_reminder:")).execute()
        while batch := claim_batch(200):
            deliver_batch(batch)

    mails = [e for e in smtp.envelopes if b"visits cancelled" in e.content
             and CUSTOMER in e.rcpt_tos]
    assert len(mails) == 1, "one email for the four visits"
    content = mails[0].content.decode("utf-8", "replace")
    body = content.replace("=\r\n", "")
    for b in six[2:]:
        assert to_local(b.starts_at, tz).strftime("%a %-d %b %Y") in body
    parts = ics_parts(mails[0].content)
    assert len(parts) == 4
    found = [calendars(text)[0] for _, text in parts]
    assert {uid for uid, _, _ in found} == {f"{b.ref}@rebook" for b in six[2:]}
    assert {method for _, method, _ in found} == {"CANCEL"}
    assert {start for _, _, start in found} == {b.starts_at.strftime("%Y%m%dT%H%M%SZ")
                                                for b in six[2:]}
    assert not [e for e in smtp.envelopes if CUSTOMER in e.rcpt_tos
                and b"is cancelled" in e.content]  # no single-visit emails besides


def series_starting_soon():
    """Six weekly visits from the first free time a couple of days ahead (the domain service
    staff use), with the notice window set so only the first is inside it."""
    service = Service.get(Service.name == "Window cleaning")
    slot = free(service, days_ahead=2)
    admin = Staff.get(Staff.role == "admin")
    customer = Customer.get(Customer.email == CUSTOMER)
    _, six, *_ = book_series(Actor("admin", admin.id, admin.name), customer_id=customer.id,
                             new_customer=None, service_id=service.id,
                             starts_at=slot.starts_at, rule=Rule(WEEKLY, 1, count=6))
    settings = Settings.current()
    settings.cancel_notice_hours = int((six[0].starts_at - utcnow()).total_seconds() // 3600) + 24
    settings.save()
    return six


@pytest.mark.parametrize("javascript", [True, False])
def test_the_whole_series_keeps_the_visit_inside_the_notice_window(browser, demo, app,
                                                                   javascript):
    from tests.support.browsing import new_context
    with app.test_request_context():
        six = series_starting_soon()
    page = new_context(browser, java_script_enabled=javascript).new_page()
    log_in(page, demo)
    second = six[1]
    page.goto(f"{demo}/bookings/{second.ref}/cancel")
    whole = page.locator("#series-scope [data-scope=all]")
    expect(whole.locator(f"[data-ref={six[0].ref}]")).to_contain_text("stays booked")
    expect(whole.locator(f"[data-ref={six[0].ref}]")).to_contain_text(
        "Cancelling online closes")
    for b in six[1:]:
        expect(whole.locator(f"[data-ref={b.ref}]")).to_contain_text("cancelled")
    whole.get_by_label(re.compile("The whole series")).check()
    page.locator("main").get_by_role("button", name="Cancel booking").click()
    expect(page.get_by_text("Cancelled 5 visits")).to_be_visible()
    expect(page.get_by_text("Still booked")).to_be_visible()
    assert [Booking.get_by_id(b.id).status for b in six] == [SCHEDULED] + [CANCELLED] * 5
