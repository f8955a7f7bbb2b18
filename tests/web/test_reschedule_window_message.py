"""Settings › Customer Portal: the business's own words for "too late to reschedule online",
beside the cancellation message; empty keeps the default wording; limited like other text."""
import html as html_lib

import pytest

from portal.audit import AuditEvent
from portal.settings import Settings
from tests.support.forms import csrf_from, login, logout

FORM = {"customers_may_cancel": "y", "customers_may_reschedule": "y",
        "cancel_notice_hours": "24", "reminder_hours": "24", "reschedule_notice_hours": "",
        "blocked_message": "", "real_time_availability": "y"}
WORDS = "Moving a visit this close needs a call: ring Dana on 555-0100."


def save(client, **changes):
    data = dict(FORM, **changes)
    data["csrf_token"] = csrf_from(client.get("/admin/settings/portal").get_data(as_text=True))
    return client.post("/admin/settings/portal", data=data)


def customer_page(client, world, booking):
    logout(client)
    login(client, world.customer.email)
    return html_lib.unescape(client.get(f"/bookings/{booking.ref}").get_data(as_text=True))


def why(html, kind):
    start = html.index(f'id="{kind}-why"')
    return html[start:html.index("</p>", start)]


def test_the_business_words_show_when_the_window_refuses_a_move(client, world):
    login(client, world.admin.email)
    form = html_lib.unescape(client.get("/admin/settings/portal").get_data(as_text=True))
    assert "Message customers see when it is too late to reschedule online" in form
    assert save(client, reschedule_blocked_message=f"  {WORDS}  ").status_code == 302
    assert Settings.current().reschedule_blocked_message == WORDS  # trimmed
    event = AuditEvent.get(AuditEvent.action == "portal_settings_changed")
    assert event.after_data == {"cancel_notice_hours": 24, "reschedule_blocked_message": WORDS}
    html = customer_page(client, world, world.soon)  # 5 hours away: inside the window
    assert WORDS in why(html, "reschedule")
    assert WORDS not in why(html, "cancel")  # each window keeps its own words
    assert "Cancelling online closes 24 hours" in why(html, "cancel")
    step = client.get(f"/bookings/{world.soon.ref}/reschedule")
    assert step.status_code == 409 and WORDS in html_lib.unescape(step.get_data(as_text=True))


def test_empty_keeps_the_default_and_words_without_a_contact_get_one(client, world):
    Settings.update(contact_phone="(555) 010-4477").execute()
    login(client, world.admin.email)
    save(client, reschedule_blocked_message="")
    html = customer_page(client, world, world.soon)
    assert "Rescheduling online closes 24 hours before the appointment." in why(
        html, "reschedule")
    logout(client)
    login(client, world.admin.email)
    save(client, reschedule_blocked_message="Too late to move it online.")
    html = customer_page(client, world, world.soon)
    assert "Too late to move it online. Please contact us on (555) 010-4477." in why(
        html, "reschedule")


@pytest.mark.parametrize("value,status,message", [
    ("x" * 501, 422, "500 characters"),
    ("Call us\x00 now", 422, "control character"),
    ("Call us\x1b[31m now", 422, "control character"),
])
def test_too_long_or_control_characters_are_refused(client, world, value, status, message):
    login(client, world.admin.email)
    response = save(client, reschedule_blocked_message=value)
    assert response.status_code == status and message in response.get_data(as_text=True)
    assert Settings.current().reschedule_blocked_message == ""
    assert AuditEvent.select().count() == 0
