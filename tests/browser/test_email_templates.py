"""Issue 21 in a real browser: the admin writes the reminder email under Settings > Emails,
previews it with a real booking and saves it; the next reminder (queued and sent the way the
worker does it) reaches a real SMTP server in those words; with customer cancellation switched
off the same template sends no cancel button. Broken and hostile templates are refused at
save with the line named, and none can read the app's secrets."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.bookings.models import Booking, Service
from portal.kernel.clock import utcnow
from portal.messaging.outbox import work_once
from portal.ops.worker import queue_reminders
from portal.people import Customer
from tests.support.browsing import CUSTOMER, new_context, staff_log_in

pytestmark = pytest.mark.browser

SUBJECT = "See you soon: {service} ({booking_ref})"
TEXT = "Dear {customer_name},\nWe come at {time}.\n{cancel_button}\nThe {business_name} team"
FORMATTED = "Dear **{customer_name}**,\n\nWe come at *{time}*.\n\n{cancel_button}"


def visit(hours):
    """A visit for the demo customer `hours` from now: inside the reminder lead time."""
    casey = Customer.get(Customer.email == CUSTOMER)
    start = (utcnow() + timedelta(hours=hours)).replace(second=0, microsecond=0)
    return Booking.create(customer=casey, service=Service.get(Service.name == "Regular clean"),
                          starts_at=start, ends_at=start + timedelta(hours=2), price=9000,
                          address=casey.address)


def reminders_sent(smtp, ref):
    """Queue the due reminders and send the outbox as the worker does; the customer's
    reminder for `ref` as the SMTP server received it."""
    queue_reminders()
    while work_once()[0]:
        pass
    [mail] = [m for m in smtp.parsed() if m["To"] == CUSTOMER and ref in str(m["Subject"])]
    return mail


@pytest.fixture
def admin(browser, demo):
    page = new_context(browser).new_page()
    staff_log_in(page, demo)
    page.goto(f"{demo}/admin/settings/emails")
    yield page
    page.context.close()


def open_reminder(admin):
    admin.get_by_role("link", name="Reminder in English: default").or_(
        admin.get_by_role("link", name="Reminder in English: customised")).click()
    expect(admin.get_by_role("heading", name=re.compile("^Reminder"), level=1)).to_be_visible()


def write(admin, subject=SUBJECT, text=TEXT, formatted=FORMATTED):
    admin.get_by_label("Subject").fill(subject)
    admin.get_by_label("Text body").fill(text)
    admin.get_by_label("Formatted body").fill(formatted)


def test_the_admin_writes_the_reminder_and_the_next_one_uses_it(admin, smtp, demo):
    booking = visit(6)
    open_reminder(admin)
    expect(admin.locator("#placeholders")).to_contain_text("{cancel_button}")
    write(admin)
    admin.get_by_label("Preview with booking").select_option(booking.ref)
    admin.get_by_role("button", name="Preview").click()
    frame = admin.frame_locator("iframe[name=email-preview]")
    expect(frame.locator("#preview-subject")).to_have_text(
        f"See you soon: Regular clean ({booking.ref})")
    expect(frame.locator("strong", has_text="Casey")).to_be_visible()
    expect(frame.get_by_role("link", name="Cancel booking")).to_be_visible()
    expect(frame.locator("#preview-text")).to_contain_text("Cancel booking:\nhttp")

    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("Email saved: new emails use it.")).to_be_visible()

    mail = reminders_sent(smtp, booking.ref)
    assert str(mail["Subject"]) == f"See you soon: Regular clean ({booking.ref})"
    text = mail.get_body(("plain",)).get_content()
    assert text.startswith("Dear Casey")
    assert re.search(r"Cancel booking:\r?\nhttp://\S+/cancel", text)
    html = mail.get_body(("html",)).get_content()
    assert "<strong>Casey" in html and ">Cancel booking</a>" in html

    # Customer cancellation off: the same template, no cancel button, nothing edited.
    admin.goto(f"{demo}/admin/settings/portal")
    admin.get_by_label("Allow customers to cancel bookings").uncheck()
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("Settings saved.")).to_be_visible()
    later = visit(8)
    mail = reminders_sent(smtp, later.ref)
    text = mail.get_body(("plain",)).get_content()
    assert text.startswith("Dear Casey") and "Cancel booking" not in text
    assert "/cancel" not in mail.get_body(("html",)).get_content()

    admin.goto(f"{demo}/admin/settings/emails")
    open_reminder(admin)
    admin.get_by_label("Preview with booking").select_option(later.ref)
    admin.get_by_role("button", name="Preview").click()
    expect(frame.locator("#preview-subject")).to_contain_text(later.ref)
    expect(frame.get_by_role("link", name="Cancel booking")).to_have_count(0)


@pytest.mark.parametrize("field, value, message", [
    ("Text body", "Dear {customer_name},\nWe come at {time}.\n\nSee {config}",
     "Line 4 of the text body: {config} is not a placeholder of this email"),
    ("Formatted body", "Hello\n\n{customer.__class__}",
     "Line 3 of the formatted body: {customer.__class__} is not a placeholder"),
    ("Formatted body", "Hello {customer_name\n\nbye", "Line 1 of the formatted body: a { is "
     "not closed"),
    ("Text body", "{% for x in config %}{{ x }}{% endfor %}",
     "Line 1 of the text body: {% for x in config %} is not a placeholder"),
])
def test_a_broken_or_hostile_template_is_refused_at_save_with_the_line(admin, field, value,
                                                                        message):
    open_reminder(admin)
    write(admin)
    admin.get_by_label(field).fill(value)
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_role("alert")).to_contain_text(message)
    expect(admin.get_by_role("alert")).to_contain_text("Nothing was saved.")
    expect(admin.get_by_label(field)).to_have_value(value)  # the draft is kept to correct
    expect(admin.locator("#template-status")).to_contain_text("Rebook's default email is sent")


def test_escaped_braces_cannot_reach_the_config_either(admin, app):
    hostile = ("{{%for x in config%}}{{{{x}}}}{{%endfor%}} {{{{config.SECRET_KEY}}}} "
               "{{{{ customer.__class__.__init__.__globals__ }}}}")
    open_reminder(admin)
    write(admin, subject="Hi {{config}}", text=hostile + "\n{customer_name}",
          formatted=hostile)
    admin.get_by_role("button", name="Preview").click()
    frame = admin.frame_locator("iframe[name=email-preview]")
    expect(frame.locator("#preview-subject")).to_have_text("Hi {config}")
    expect(frame.locator("#preview-text")).to_contain_text(
        "{%for x in config%}{{x}}{%endfor%} {{config.SECRET_KEY}}")
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("Email saved: new emails use it.")).to_be_visible()
    # the saved template, filled in as it would be sent
    expect(frame.locator("#preview-text")).to_contain_text("{{config.SECRET_KEY}}")
    shown = frame.locator("body").inner_text()
    assert app.config["SECRET_KEY"] not in shown and "<class" not in shown


def test_editing_previewing_and_resetting_work_without_javascript(nojs_page, demo):
    page = nojs_page
    staff_log_in(page, demo)
    page.goto(f"{demo}/admin/settings/emails")
    page.get_by_role("link", name="Booking confirmation in Deutsch: default").click()
    write(page, subject="Bestätigt: {service}", text="Hallo {customer_name}\n{booking_button}",
          formatted="Hallo **{customer_name}**\n\n{booking_button}")
    page.get_by_role("button", name="Preview").click()
    frame = page.frame_locator("iframe[name=email-preview]")
    expect(frame.locator("#preview-subject")).to_have_text(re.compile("^Bestätigt: "))
    expect(frame.get_by_role("link", name="View booking")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Email saved: new emails use it.")).to_be_visible()
    expect(page.locator("#template-status")).to_contain_text("Your own email, saved")
    page.get_by_role("button", name="Reset to the default email").click()
    expect(page.get_by_text("Back to the default email.")).to_be_visible()
    expect(page.get_by_label("Subject")).to_have_value("Booking confirmed: {service} on {time} "
                                                       "({booking_ref})")
