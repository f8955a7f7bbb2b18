"""Admin > Integrations: add, edit, rotate the secret, the delivery log and resend; bad input
changes nothing. The cancel dialog's "Manual update required": tests/web/test_manual_update.py."""
import re

import pytest

from portal.audit import AuditEvent
from portal.integrations.events import emit
from portal.integrations.manage import add_integration
from portal.integrations.models import Integration
from portal.integrations.webhook_models import DEAD, WebhookAttempt, WebhookDelivery
from portal.kernel.db import write_transaction
from tests.support.forms import csrf_from, login
from tests.support.pages import words
from tests.support.queries import queries_for

FORM = {"name": "CalSync", "kind": "calendar", "endpoint_url": "https://cal.example.com/hook",
        "events": ["booking.created", "booking.cancelled"], "cancellations": "automatic",
        "active": "y"}


def state():
    """Everything an integrations request could change."""
    return {"integrations": sorted(tuple(i.__data__.items()) for i in Integration.select()),
            "audit": AuditEvent.select().count(),
            "deliveries": sorted((d.id, d.status, d.attempts) for d in WebhookDelivery.select())}


def submit(client, url, form_page="/admin/integrations", csrf=True, **changes):
    data = {key: value for key, value in {**FORM, **changes}.items() if value is not None}
    if csrf:
        data["csrf_token"] = csrf_from(client.get(form_page).get_data(as_text=True))
    return client.post(url, data=data)


# --- Adding and editing ---------------------------------------------------------------------

def test_admin_adds_an_integration_and_is_shown_its_secret(admin_client, world):
    response = submit(admin_client, "/admin/integrations")
    assert response.status_code == 302
    made = Integration.get(Integration.name == "CalSync")
    assert response.headers["Location"].endswith(f"/admin/integrations/{made.id}")
    assert (made.kind, made.endpoint_url, made.events, made.applies_cancellations,
            made.active) == ("calendar", "https://cal.example.com/hook",
                             "booking.created booking.cancelled", True, True)
    assert made.secret.startswith("whsec_") and len(made.secret) > 40
    page = admin_client.get(response.headers["Location"])
    assert made.secret in page.get_data(as_text=True)
    assert "CalSync added" in words(page)
    assert re.search(r'value="booking\.cancelled" checked', page.get_data(as_text=True))
    assert not re.search(r'value="order\.placed" checked', page.get_data(as_text=True))
    [added] = AuditEvent.select().where(AuditEvent.action == "integration_added")
    assert (added.subject_type, added.subject_id, added.actor_id) == (
        "integration", made.id, world.admin.id)
    assert added.after_data["endpoint_url"] == "https://cal.example.com/hook"
    assert made.secret not in added.after and made.secret not in added.before
    listing = words(admin_client.get("/admin/integrations"))
    assert "CalSync" in listing and "Applies them automatically" in listing


BAD = [
    ("endpoint_url", "ftp://files.example.com/hook", "starting with https://"),
    ("endpoint_url", "javascript:alert(1)", "starting with https://"),
    ("endpoint_url", "http://", "starting with https://"),
    ("endpoint_url", "cal.example.com/hook", "starting with https://"),
    ("endpoint_url", "https://cal.example.com:99999/hook", "starting with https://"),
    ("endpoint_url", "https://cal example.com/hook", "starting with https://"),
    ("endpoint_url", "https://me:secret@cal.example.com/hook", "Leave the user name"),
    ("endpoint_url", "https://cal.example.com/" + "a" * 480, "at most 500"),
    ("endpoint_url", "http://10.0.0.5:8080/in", "This address points inside your network "
     "(10.0.0.5, a private network address). Rebook only sends webhooks to public addresses; "
     "your server operator can allow it with WEBHOOK_ALLOWED_HOSTS."),
    ("endpoint_url", "http://169.254.169.254/latest/meta-data/", "the cloud metadata service"),
    ("name", "N" * 81, "keep the name to 80"),
    ("name", "   ", "Enter a name"),
    ("kind", "spaceship", "Choose what kind"),
    ("events", ["booking.created", "booking.exploded"], "Choose events from the list"),
    ("cancellations", "sometimes", "Choose how this system learns"),
    ("cancellations", None, "Choose how this system learns"),
    ("events", ["booking.created"], "only apply cancellations automatically"),
    ("endpoint_url", "", "only apply cancellations automatically"),
]


@pytest.mark.parametrize("target", ["add", "edit"])
@pytest.mark.parametrize("field,value,message", BAD, ids=[f"{f}-{i}" for i, (f, _, _) in
                                                          enumerate(BAD)])
def test_bad_input_is_422_with_the_reason_and_nothing_changes(admin_client, clinic, target,
                                                              field, value, message):
    url = "/admin/integrations" if target == "add" else f"/admin/integrations/{clinic.id}"
    before = state()
    response = submit(admin_client, url, form_page=url, **{field: value})
    assert response.status_code == 422
    assert message in words(response)
    assert state() == before


def test_a_name_in_use_is_refused_whatever_its_case(admin_client, clinic, calsync):
    before = state()
    response = submit(admin_client, "/admin/integrations", name="clinicpro pms")
    assert response.status_code == 422
    assert "already an integration called clinicpro pms" in words(response)
    response = submit(admin_client, f"/admin/integrations/{calsync.id}",
                      form_page=f"/admin/integrations/{calsync.id}", name="ClinicPro PMS")
    assert response.status_code == 422
    assert state() == before


def test_editing_saves_and_records_before_and_after(admin_client, calsync):
    url = f"/admin/integrations/{calsync.id}"
    response = submit(admin_client, url, form_page=url, name="CalSync 2",
                      endpoint_url="http://cal.example.com:8080/in", events=["order.placed"],
                      cancellations="manual", active=None)
    assert response.status_code == 302
    saved = Integration.get_by_id(calsync.id)
    assert (saved.name, saved.endpoint_url, saved.events, saved.applies_cancellations,
            saved.active, saved.secret) == ("CalSync 2", "http://cal.example.com:8080/in",
                                            "order.placed", False, False, calsync.secret)
    [changed] = AuditEvent.select().where(AuditEvent.action == "integration_changed")
    assert changed.before_data["name"] == "CalSync" and changed.after_data["active"] is False
    # Saving it again unchanged writes no second history entry.
    assert submit(admin_client, url, form_page=url, name="CalSync 2",
                  endpoint_url="http://cal.example.com:8080/in", events=["order.placed"],
                  cancellations="manual", active=None).status_code == 302
    assert AuditEvent.select().where(AuditEvent.action == "integration_changed").count() == 1


def test_rotating_the_secret_shows_the_new_one_and_logs_no_secret(admin_client, calsync):
    url = f"/admin/integrations/{calsync.id}"
    token = csrf_from(admin_client.get(url).get_data(as_text=True))
    response = admin_client.post(f"{url}/rotate", data={"csrf_token": token, "confirmed": "yes"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#secret")
    rotated = Integration.get_by_id(calsync.id)
    assert rotated.secret != calsync.secret and rotated.secret.startswith("whsec_")
    page = admin_client.get(url).get_data(as_text=True)
    assert rotated.secret in page and calsync.secret not in page
    [event] = AuditEvent.select().where(AuditEvent.action == "integration_secret_rotated")
    assert event.subject_id == calsync.id
    for secret in (calsync.secret, rotated.secret):
        assert secret not in event.before + event.after + event.note


@pytest.mark.parametrize("action", ["add", "edit", "rotate", "resend"])
def test_a_post_without_its_csrf_token_is_400_and_changes_nothing(admin_client, calsync,
                                                                  action):
    delivery = _dead_delivery(calsync)
    url = {"add": "/admin/integrations", "edit": f"/admin/integrations/{calsync.id}",
           "rotate": f"/admin/integrations/{calsync.id}/rotate",
           "resend": f"/admin/integrations/{calsync.id}/deliveries/{delivery.id}/resend"}[action]
    before = state()
    response = submit(admin_client, url, csrf=False, name="Forged")
    assert response.status_code == 400
    assert "security token" in words(response)
    assert state() == before


@pytest.mark.parametrize("who", ["customer@example.com", "fw@example.com"])
def test_only_admins_reach_a_real_integration(client, calsync, who):
    delivery = _dead_delivery(calsync)
    login(client, who)
    token = csrf_from(client.get("/login", follow_redirects=True).get_data(as_text=True))
    before = state()
    base = f"/admin/integrations/{calsync.id}"
    for url in (base, f"{base}/deliveries/{delivery.id}"):
        assert client.get(url).status_code == 403
    for url in (base, f"{base}/rotate", f"{base}/deliveries/{delivery.id}/resend"):
        assert client.post(url, data={**FORM, "csrf_token": token}).status_code == 403
    assert state() == before


# --- The delivery log -----------------------------------------------------------------------

def _dead_delivery(integration):
    with write_transaction():
        emit("booking.cancelled", lambda: {"booking": {"ref": "BK-TEST"}})
    delivery = WebhookDelivery.get(WebhookDelivery.integration == integration.id)
    WebhookDelivery.update(status=DEAD, attempts=8, last_status=503,
                           last_error="HTTP 503 Service Unavailable").execute()
    WebhookAttempt.create(delivery=delivery, number=1, url=integration.endpoint_url,
                          response_status=503, error="HTTP 503 Service Unavailable",
                          duration_ms=12, response_snippet="down for maintenance")
    return WebhookDelivery.get_by_id(delivery.id)


def test_the_log_and_a_delivery_page_show_each_attempt(admin_client, calsync):
    delivery = _dead_delivery(calsync)
    log = words(admin_client.get(f"/admin/integrations/{calsync.id}"))
    assert delivery.event_id in log and "Dead" in log and "HTTP 503" in log and "12 ms" in log
    page = admin_client.get(f"/admin/integrations/{calsync.id}/deliveries/{delivery.id}")
    text = words(page)
    assert "down for maintenance" in text and "HTTP 503 Service Unavailable" in text
    assert '"ref": "BK-TEST"' in text and delivery.event_id in text
    assert "Resend (same event id)" in text


def test_resending_what_is_still_queued_is_409_and_someone_elses_is_404(admin_client,
                                                                        calsync, clinic):
    delivery = _dead_delivery(calsync)
    WebhookDelivery.update(status="pending").execute()
    page = admin_client.get(f"/admin/integrations/{calsync.id}").get_data(as_text=True)
    before = state()
    url = f"/admin/integrations/{calsync.id}/deliveries/{delivery.id}/resend"
    response = admin_client.post(url, data={"csrf_token": csrf_from(page)})
    assert response.status_code == 409 and "already queued" in words(response)
    other = f"/admin/integrations/{clinic.id}/deliveries/{delivery.id}/resend"
    assert admin_client.post(other, data={"csrf_token": csrf_from(page)}).status_code == 404
    assert admin_client.get(f"/admin/integrations/{clinic.id}/deliveries/{delivery.id}") \
        .status_code == 404
    assert state() == before


def test_the_page_links_to_api_tokens_only_when_that_page_exists(app, admin_client, calsync):
    page = admin_client.get(f"/admin/integrations/{calsync.id}").get_data(as_text=True)
    has_tokens_page = "admin.api_tokens.index" in app.view_functions
    assert ('>API tokens</a>' in page) == has_tokens_page


def test_the_pages_use_constant_queries(admin_client, admin, calsync):
    urls = ["/admin/integrations", f"/admin/integrations/{calsync.id}"]
    _dead_delivery(calsync)
    before = {url: queries_for(admin_client, url) for url in urls}
    for n in range(5):
        add_integration(admin, name=f"System {n}", kind="other",
                        endpoint_url="https://cal.example.com/", events=["booking.cancelled"])
    for _ in range(3):
        with write_transaction():
            emit("booking.cancelled", lambda: {"n": 1})
    for delivery in WebhookDelivery.select():
        for number in (1, 2):
            WebhookAttempt.get_or_create(delivery=delivery, number=number,
                                         defaults={"url": "https://cal.example.com/"})
    after = {url: queries_for(admin_client, url) for url in urls}
    assert before == after
    assert max(after.values()) <= 8, after
