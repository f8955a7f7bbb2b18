"""Words people use where a person reads: no commands or cron on admin pages, names instead of
"(admin, admin)" and "Rebook (system, system)", event names before their codes, no status codes
on the customer's timeline, and separate messages for the cancel and reschedule windows."""
import re
from datetime import timedelta

from portal import audit
from portal.integrations.webhook_models import WebhookDelivery
from portal.kernel.actors import SYSTEM, Actor
from portal.orders.models import Product
from portal.orders.services import place_order
from portal.settings import Settings
from tests.support.factories import booking
from tests.support.forms import login, logout
from tests.support.pages import words


def test_admin_pages_name_no_commands(admin_client):
    for url, gone in (("/admin/emails", ("flask outbox work", "outbox worker")),
                      ("/admin/settings/portal", ("flask reminders", "cron"))):
        text = words(admin_client.get(url))
        for phrase in gone:
            assert phrase not in text, (url, phrase)
    assert "background sender" in words(admin_client.get("/admin/emails"))
    assert "too late to cancel online" in words(admin_client.get("/admin/settings/portal"))


def test_integration_page_says_events_in_words_and_keeps_the_signature_for_developers(
        admin_client, world, calsync):
    WebhookDelivery.create(integration=calsync, event_type="booking.cancelled",
                           event_id="evt_1", body="{}")
    html = admin_client.get(f"/admin/integrations/{calsync.id}").get_data(as_text=True)
    secret = html[html.index('id="secret"'):html.index("<details>", html.index('id="secret"'))]
    assert "HMAC" not in secret and "signed with this secret" in secret
    assert "For the receiving system's developer" in html  # the detail is one click away
    log = html[html.index('id="deliveries"'):]
    assert "A booking was cancelled" in words_of(log) and "flask outbox work" not in log
    form = admin_client.get("/admin/integrations").get_data(as_text=True)
    assert "A booking was cancelled (booking.cancelled)" in words_of(form)


def words_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" )", ")").replace("( ", "(")


def test_history_lines_name_the_person_and_the_system_reads_automatically(admin_client, world):
    audit.record("booking", world.upcoming.id, "rescheduled", SYSTEM, "system",
                 before={"starts_at": world.upcoming.starts_at},
                 after={"starts_at": world.upcoming.starts_at + timedelta(hours=1)})
    audit.record("booking", world.upcoming.id, "rescheduled",
                 Actor("admin", world.admin.id, world.admin.name), "admin")
    audit.record("booking", world.upcoming.id, "rescheduled",
                 Actor("customer", world.customer.id, world.customer.name), "email_link")
    text = words(admin_client.get(f"/admin/bookings/{world.upcoming.ref}"))
    assert "Rescheduled automatically" in text and "(system, system)" not in text
    assert "Rescheduled by Ada Admin (admin)" in text and "(admin, admin)" not in text
    assert "by Casey Customer (customer, from an email link)" in text
    customer_page = words(admin_client.get(f"/admin/customers/{world.customer.id}"))
    assert "by Ada Admin (admin)" in customer_page and "(admin, admin)" not in customer_page


def test_the_customer_timeline_has_no_status_codes(client, world):
    cloths = Product.create(name="Cloths", price=1200, stock=10)
    order = place_order(world.customer.id, [(cloths.id, 1)],
                        Actor("customer", world.customer.id, world.customer.name))
    audit.record("order", order.id, "processing", SYSTEM, "system",
                 before={"status": "placed"}, after={"status": "processing"})
    login(client, world.customer.email)
    mine = words(client.get(f"/orders/{order.ref}"))
    assert "Processing" in mine and "placed → processing" not in mine and "→" not in mine
    logout(client)
    login(client, world.admin.email)
    assert "placed → processing" in words(client.get(f"/admin/orders/{order.ref}"))


def test_cancel_and_reschedule_windows_have_their_own_messages(customer_client, world):
    Settings.update(cancel_notice_hours=24, reschedule_notice_hours=None,
                    customers_may_reschedule=True,
                    blocked_message="Too late to cancel online: call us on 555-0100.").execute()
    soon = booking(world.customer, world.service, timedelta(hours=5), world.fw)
    html = customer_client.get(f"/bookings/{soon.ref}").get_data(as_text=True)
    cancel_why = html[html.index('id="cancel-why"'):]
    reschedule_why = html[html.index('id="reschedule-why"'):html.index('id="cancel-why"')]
    assert "Too late to cancel online: call us on 555-0100." in cancel_why
    assert "Too late to cancel" not in reschedule_why
    assert "Rescheduling online closes 24 hours before the appointment." in reschedule_why
