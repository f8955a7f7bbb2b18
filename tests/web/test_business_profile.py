"""Settings > Business: name, contact details, timezone and currency; and the contact details
reaching customers where the business sends them elsewhere (email footers, blocked actions)."""
from datetime import timedelta

import pytest

from portal.audit import AuditEvent
from portal.bookings import policy
from portal.bookings.services import cancel_booking
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.messaging.models import OutboxMessage
from portal.settings import Settings
from tests.support.back_office import _push_request_context, admin_client, everything, post, text
from tests.support.forms import login

URL = "/admin/settings/business"
GOOD = {"business_name": "Shine Bright Ltd", "contact_phone": "+44 20 7946 0000",
        "contact_email": "Office@ShineBright.example", "timezone": "Europe/London",
        "currency": "GBP"}


def save(client, **changes):
    return post(client, URL, {k: v for k, v in dict(GOOD, **changes).items() if v is not None})


def test_the_page_shows_the_current_profile(admin_client, world):
    page = text(admin_client.get(URL))
    assert 'value="Sparkle &amp; Co. Cleaning"' in page or 'value="Sparkle & Co. Cleaning"' in page
    assert 'value="(555) 010-4477"' in page
    assert '<option value="America/New_York" selected>' in page
    assert '<option value="USD" selected>' in page
    assert 'aria-current="page">Business</a>' in page


def test_admin_saves_the_profile(admin_client, world):
    response = save(admin_client)
    assert response.status_code == 302 and response.location.endswith(URL)
    s = Settings.current()
    assert (s.business_name, s.contact_phone, s.contact_email, s.timezone, s.currency) == (
        "Shine Bright Ltd", "+44 20 7946 0000", "office@shinebright.example", "Europe/London",
        "GBP")
    (event,) = AuditEvent.select().where(AuditEvent.action == "business_profile_changed")
    assert (event.subject_type, event.actor_id) == ("settings", world.admin.id)
    assert event.before_data["timezone"] == "America/New_York"
    assert event.after_data["currency"] == "GBP"
    page = text(admin_client.get(URL))
    assert "Business details saved." in page and "<title>Settings · Business · Shine Bright Ltd" \
        in page
    # Times now read in London, money in pounds.
    booking_page = text(admin_client.get(f"/admin/bookings/{world.upcoming.ref}"))
    assert "GMT" in booking_page or "BST" in booking_page
    assert "£90.00" in booking_page


@pytest.mark.parametrize("field,value,message", [
    ("business_name", "", "Enter the business's name."),
    ("business_name", "x" * 121, "120 characters"),
    ("contact_phone", "12-34", "7 to 20 digits"),
    ("contact_email", "office@", "like name@example.com"),
    ("timezone", "Mars/Olympus_Mons", "Choose a timezone from the list"),
    ("timezone", "", "Choose a timezone."),
    ("currency", "XYZ", "Choose a currency from the list."),
    ("currency", "JPY", "Choose a currency from the list."),  # no cents: amounts would be wrong
    ("currency", "EURO", "3 characters"),
])
def test_bad_input_changes_nothing(admin_client, world, field, value, message):
    before = everything()
    response = save(admin_client, **{field: value})
    assert response.status_code == 422 and message in text(response)
    assert everything() == before


def test_customers_need_some_way_to_reach_the_business(admin_client, world):
    before = everything()
    response = save(admin_client, contact_phone="", contact_email="")
    assert response.status_code == 422 and "a way to reach you" in text(response)
    assert everything() == before
    assert save(admin_client, contact_phone="").status_code == 302
    assert Settings.current().contact_line == "office@shinebright.example"


def test_missing_csrf_token_changes_nothing(admin_client, world):
    before = everything()
    response = admin_client.post(URL, data=GOOD)
    assert response.status_code == 400 and "security token" in text(response)
    assert everything() == before


def test_saving_unchanged_writes_nothing(admin_client, world):
    save(admin_client)
    save(admin_client)
    assert AuditEvent.select().where(
        AuditEvent.action == "business_profile_changed").count() == 1


def test_the_contact_details_are_in_customer_email_footers(app, admin_client, world):
    save(admin_client)
    with app.app_context():
        cancel_booking(world.upcoming.ref, Actor("admin", world.admin.id, "Ada"),
                       channel="admin")
        mail = OutboxMessage.get(OutboxMessage.to_address == "customer@example.com")
        parts = (mail.body_text, mail.body_html)  # rendered on reading, with the app's templates
    for part in parts:
        assert "Shine Bright Ltd" in part
        assert "+44 20 7946 0000" in part and "office@shinebright.example" in part


def test_blocked_messages_name_the_contact_details(app, admin_client, world):
    save(admin_client, business_name="Shine Bright Ltd")
    customer = app.test_client()
    login(customer, world.customer.email)
    post(admin_client, "/admin/settings/portal",
         {"cancel_notice_hours": "24", "reminder_hours": "24", "customers_may_cancel": "y",
          "customers_may_reschedule": "y", "blocked_message": "Too late to change online."})
    page = text(customer.get(f"/bookings/{world.soon.ref}"))
    assert "Too late to change online. Please contact us on +44 20 7946 0000 or " \
           "office@shinebright.example." in page
    # Online booking off: the refusal says how to reach the business.
    Settings.update(online_booking=False).execute()
    assert "Online booking is not available. Please contact us on +44 20 7946 0000" in text(
        customer.get("/book"))


@pytest.mark.parametrize("message,expected", [
    ("Call us on (555) 010-4477 to cancel.", "Call us on (555) 010-4477 to cancel."),
    ("Write to hello@example.com instead.", "Write to hello@example.com instead."),
    ("Too late online.", "Too late online. Please contact us on (555) 010-4477 or "
                         "hello@example.com."),
])
def test_the_business_message_gets_the_contact_unless_it_has_it(world, message, expected):
    settings = Settings.current()
    settings.contact_email, settings.blocked_message = "hello@example.com", message
    settings.cancel_notice_hours = 48
    booking = world.upcoming  # three days ahead
    verdict = policy.can_cancel(booking, Actor("customer", world.customer.id), settings,
                                booking.starts_at - timedelta(hours=12))
    assert verdict.code == "notice_window" and verdict.message == expected
    assert utcnow() < booking.starts_at
