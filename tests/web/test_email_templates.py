"""Settings > Emails through HTTP, and every customer email taking the business's template
for the customer's language (or the file's when there is none)."""
import pytest

from portal.accounts.invitations import queue_invitation
from portal.audit import AuditEvent
from portal.billing.invoices import open_invoice
from portal.billing.payments import record_payment
from portal.billing.refunds import approve_refund, request_refund
from portal.kernel.actors import Actor
from portal.messaging import email_kinds
from portal.messaging.business_templates import save_template
from portal.messaging.models import OutboxMessage
from portal.messaging.reminders import send_due_reminders
from portal.messaging.template_models import EmailTemplate
from portal.people import Customer
from portal.settings import Settings
from tests.support.cancelling import post_cancel
from tests.support.forms import csrf_from, login

ADMIN = Actor("admin", None, "Ada Admin")
URL = "/admin/settings/emails/booking_reminder/en"
REMINDER = dict(subject="Soon: {service} ({booking_ref})",
                body_text="Dear {customer_name}, see you at {time}.\n{cancel_button}\nBye",
                body_formatted="Dear **{customer_name}**\n\n{cancel_button}")


def post(client, url=URL, **data):
    data["csrf_token"] = csrf_from(client.get(URL).get_data(as_text=True))
    return client.post(url, data=data)


def outbox(prefix):
    return list(OutboxMessage.select().where(OutboxMessage.dedupe_key.startswith(prefix)))


def test_the_list_shows_every_kind_and_language(admin_client):
    page = admin_client.get("/admin/settings/emails").get_data(as_text=True)
    for spec in email_kinds.KINDS.values():
        assert spec.label in page
    assert "Deutsch" in page and "Español" in page and "Customised" not in page


def test_saving_is_audited_and_the_next_reminder_uses_it(admin_client, world):
    response = post(admin_client, action="save", **REMINDER)
    assert response.status_code == 302
    event = AuditEvent.get(AuditEvent.action == "email_template_saved")
    assert event.note == "booking_reminder (en)" and "Soon: {service}" in event.after
    assert "booking_reminder:en" in Settings.current().custom_emails
    assert "Customised" in admin_client.get("/admin/settings/emails").get_data(as_text=True)
    activity = admin_client.get("/admin/activity").get_data(as_text=True)
    assert "Email template saved" in activity and 'href="/admin/settings/emails"' in activity

    assert send_due_reminders() == 1
    [message] = outbox("booking_reminder:")
    assert message.subject == f"Soon: Regular clean ({world.soon.ref})"
    assert message.body_text.startswith("Dear Casey Customer, see you at ")
    assert "Cancel booking:\nhttp://localhost/l/" in message.body_text
    assert "<strong>Casey Customer</strong>" in message.body_html
    assert "/cancel" in message.body_html


def test_with_cancelling_off_the_same_template_has_no_cancel_button(app, world):
    save_template("booking_reminder", "en", *REMINDER.values(), ADMIN)
    Settings.update(customers_may_cancel=False).execute()
    send_due_reminders()
    [message] = outbox("booking_reminder:")
    assert message.body_text.split("\n")[1:] == ["Bye"]  # the button's line is left out
    assert "/cancel" not in message.body_text and "/cancel" not in message.body_html


@pytest.mark.parametrize("field, value, words", [
    ("body_text", "Hello\n{customer_name}\n{config}", "Line 3 of the text body: {config}"),
    ("body_formatted", "Hi\n\n{customer.__class__}", "Line 3 of the formatted body"),
    ("subject", "Hi {service", "Line 1 of the subject: a { is not closed"),
    ("body_text", "x" * 8_001, "Please keep the text body to 8,000 characters."),
    ("subject", "", "The subject must be one line of text."),
])
def test_a_broken_template_is_refused_and_nothing_is_saved(admin_client, field, value, words):
    response = post(admin_client, action="save", **dict(REMINDER, **{field: value}))
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)
    assert EmailTemplate.select().count() == 0 and AuditEvent.select().count() == 0


def test_an_invitation_must_keep_its_link(app, world):
    spec = email_kinds.KINDS["account_invite"]
    with pytest.raises(Exception) as refused:
        save_template("account_invite", "en", spec.subject, "Hello {customer_name}",
                      spec.formatted, ADMIN)
    assert "needs {link_button}" in refused.value.message


def test_preview_fills_the_draft_in_with_a_real_booking(admin_client, world):
    response = post(admin_client, f"{URL}/preview", booking=world.upcoming.ref, **REMINDER)
    assert response.status_code == 200
    assert "sandbox" in response.headers["Content-Security-Policy"]
    page = response.get_data(as_text=True)
    assert f"Soon: Regular clean ({world.upcoming.ref})" in page
    assert "<strong>Casey Customer</strong>" in page and "Cancel booking" in page
    refused = post(admin_client, f"{URL}/preview", **dict(REMINDER, body_text="{oops"))
    assert refused.status_code == 422 and "a { is not closed" in refused.get_data(as_text=True)


def test_a_test_send_goes_to_the_admin_through_the_outbox(admin_client, world):
    response = post(admin_client, action="test", booking=world.upcoming.ref, **REMINDER)
    assert response.status_code == 200
    [message] = outbox("template_test:")
    assert message.to_address == world.admin.email
    assert message.subject == f"[Test] Soon: Regular clean ({world.upcoming.ref})"
    assert EmailTemplate.select().count() == 0  # a test saves nothing


def test_reset_goes_back_to_the_default_and_is_audited(admin_client, world):
    save_template("booking_reminder", "en", *REMINDER.values(), ADMIN)
    response = post(admin_client, f"{URL}/reset")
    assert response.status_code == 302
    assert EmailTemplate.select().count() == 0 and Settings.current().custom_emails == ""
    assert AuditEvent.select().where(AuditEvent.action == "email_template_reset").count() == 1
    send_due_reminders()
    [message] = outbox("booking_reminder:")
    assert message.subject.startswith("Reminder: Regular clean")


def test_an_unknown_email_or_language_is_not_found(admin_client):
    assert admin_client.get("/admin/settings/emails/secrets/en").status_code == 404
    assert admin_client.get("/admin/settings/emails/booking_reminder/fr").status_code == 404


def test_customers_get_the_template_of_their_language(app, world):
    save_template("booking_reminder", "de", "Erinnerung: {service}", "Hallo {customer_name}",
                  "Hallo {customer_name}", ADMIN)
    Customer.update(language="de").where(Customer.id == world.customer.id).execute()
    Settings.update(reminder_hours=24 * 30).execute()
    send_due_reminders()
    by_customer = {m.to_address: m.subject for m in outbox("booking_reminder:")}
    assert by_customer[world.customer.email] == "Erinnerung: Regular clean"
    assert by_customer[world.other.email].startswith("Reminder: ")  # English: the file's


def test_the_cancellation_rendered_at_send_uses_the_template(client, world):
    save_template("booking_cancelled", "en", "Off: {booking_ref}",
                  "Sorry {customer_name}.\n{booking_button}\n{book_again_button}",
                  "Sorry **{customer_name}**\n\n{booking_button}", ADMIN)
    login(client, world.customer.email)
    assert post_cancel(client, world.upcoming).status_code in (200, 302)
    [message] = outbox("booking_cancelled:")
    assert message.subject == f"Off: {world.upcoming.ref}" and message.template
    assert message.body_text.startswith("Sorry Casey Customer.\nView booking:\nhttp://localhost/")
    assert "Book a new visit:" in message.body_text and message.ics


def test_refund_and_invitation_emails_use_theirs(app, world):
    save_template("refund_approved", "en", "Yes: {refund}", "OK {customer_name}\n{page_button}",
                  "OK\n\n{page_button}", ADMIN)
    save_template("account_invite", "en", "Join {business_name}", "Hi\n{link_button}",
                  "Hi\n\n{link_button}", ADMIN)
    invoice = open_invoice(world.upcoming, world.service, Settings.current())
    record_payment(invoice.id, 9000, "card", "ch_1", ADMIN)
    refund = request_refund(invoice.id, 5000, "Rain", ADMIN, channel="admin")
    approve_refund(refund.id, ADMIN, note="Sorry")
    [approved] = outbox("refund_approved:")
    assert approved.subject == "Yes: $50.00"
    assert approved.body_text.startswith("OK Casey Customer\nSee it online:\nhttp://localhost/")
    queue_invitation(world.other)
    [invite] = outbox("account_invite:")
    assert invite.subject == "Join Sparkle & Co. Cleaning"
    assert "Set your password:\nhttp://localhost/" in invite.body_text
