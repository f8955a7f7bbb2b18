"""Admin > Integrations > API tokens: make one with chosen scopes (shown once), see it listed by
prefix, scopes and last use, revoke it; every change audited, every refusal changing nothing.
And the policy's answers for an integration, which acts for the business."""
from datetime import timedelta

import pytest

from portal.audit import AuditEvent
from portal.bookings import policy
from portal.integrations import tokens
from portal.integrations.models import ApiToken
from portal.kernel.actors import Actor, integration_actor
from portal.kernel.clock import utcnow
from tests.support.api_support import headers, integration, snapshot
from tests.support.api_support import pms  # noqa: F401 (a fixture)
from tests.support.forms import csrf_from


def page_url(pms):
    return f"/admin/integrations/{pms.id}/tokens"


def make(client, pms, scopes):
    csrf = csrf_from(client.get(page_url(pms)).get_data(as_text=True))
    return client.post(page_url(pms), data={"csrf_token": csrf, "scopes": scopes})


def test_admin_makes_a_token_that_is_shown_once_and_works(admin_client, world, pms):
    response = make(admin_client, pms, ["bookings:read"])
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Copy this token now" in html
    assert response.headers["Cache-Control"] == "no-store"
    token = ApiToken.get()
    raw = html.split('id="token-value" class="secret" readonly value="')[1].split('"')[0]
    assert raw.startswith("rbk_") and len(raw) > 40 and raw.startswith(token.prefix)
    assert token.token_hash == tokens.hash_token(raw) and raw not in token.token_hash
    assert token.scope_list == ["bookings:read"]
    # It works, and its last use shows; the page never shows the token again.
    assert admin_client.get(f"/api/v1/bookings/{world.upcoming.ref}",
                            headers=headers(raw)).status_code == 200
    listed = admin_client.get(page_url(pms)).get_data(as_text=True)
    assert raw not in listed and token.prefix in listed and "Never" not in listed
    event = AuditEvent.get(AuditEvent.action == "api_token_created")
    assert (event.subject_type, event.subject_id, event.actor_label) == (
        "integration", pms.id, "Ada Admin")
    assert raw not in event.after


def test_revoking_stops_the_token_at_once(admin_client, world, pms):
    token, raw = tokens.create_token(pms.id, [tokens.READ, tokens.WRITE], Actor("system"))
    page = admin_client.get(page_url(pms)).get_data(as_text=True)
    response = admin_client.post(f"{page_url(pms)}/{token.id}/revoke",
                                 data={"csrf_token": csrf_from(page), "confirmed": "yes"},
                                 follow_redirects=True)
    assert "is revoked" in response.get_data(as_text=True)
    assert ApiToken.get_by_id(token.id).revoked_at is not None
    assert admin_client.get(f"/api/v1/bookings/{world.upcoming.ref}",
                            headers=headers(raw)).status_code == 401
    assert AuditEvent.select().where(AuditEvent.action == "api_token_revoked").count() == 1
    before = snapshot()
    again = admin_client.post(f"{page_url(pms)}/{token.id}/revoke",
                              data={"csrf_token": csrf_from(page), "confirmed": "yes"})
    assert again.status_code == 409 and "already revoked" in again.get_data(as_text=True)
    assert snapshot() == before


@pytest.mark.parametrize("scopes", [[], ["bookings:delete"], ["admin", "bookings:read"]])
def test_a_token_needs_known_scopes(admin_client, pms, scopes):
    before = snapshot()
    response = make(admin_client, pms, scopes)
    assert response.status_code == 422
    assert "Choose at least one scope" in response.get_data(as_text=True)
    assert snapshot() == before


def test_refusals_for_missing_things_and_forms_change_nothing(admin_client, pms):
    other = integration("Core Practice")
    token, _ = tokens.create_token(other.id, [tokens.READ], Actor("system"))
    before = snapshot()
    page = admin_client.get(page_url(pms)).get_data(as_text=True)
    assert admin_client.get("/admin/integrations/999999/tokens").status_code == 404
    # Another integration's token is not found through this one's page.
    assert admin_client.post(f"{page_url(pms)}/{token.id}/revoke",
                             data={"csrf_token": csrf_from(page), "confirmed": "yes"}
                             ).status_code == 404
    assert admin_client.post(page_url(pms), data={"scopes": ["bookings:read"]}
                             ).status_code == 400  # no CSRF token
    assert snapshot() == before


def test_listing_tokens_costs_the_same_queries_for_one_or_many(admin_client, pms):
    from tests.support.queries import queries_for
    tokens.create_token(pms.id, [tokens.READ], Actor("system"))
    one = queries_for(admin_client, page_url(pms))
    for _ in range(8):
        tokens.create_token(pms.id, [tokens.READ, tokens.WRITE], Actor("system"))
    assert queries_for(admin_client, page_url(pms)) == one


def test_last_used_is_written_at_most_once_a_minute(pms):
    token, raw = tokens.create_token(pms.id, [tokens.READ], Actor("system"))
    now = utcnow()
    assert tokens.authenticate(raw, now).last_used_at == now
    tokens.authenticate(raw, now + timedelta(seconds=30))
    assert ApiToken.get_by_id(token.id).last_used_at == now
    tokens.authenticate(raw, now + timedelta(minutes=2))
    assert ApiToken.get_by_id(token.id).last_used_at == now + timedelta(minutes=2)


# The policy, table-driven: an integration is the business's own system, so the customers'
# flags, notice window and reschedule cap don't bind it; closed bookings and past times do.
class _Settings:
    customers_may_cancel = customers_may_reschedule = False
    cancel_notice_hours = effective_reschedule_notice_hours = 72
    max_reschedules = 0
    blocked_message = contact_line = ""


class _Booking:
    def __init__(self, status="scheduled", hours=5):
        self.status, self.customer_id, self.reschedule_count = status, 1, 3
        self.starts_at = NOW + timedelta(hours=hours)


NOW = utcnow().replace(microsecond=0)
PMS = integration_actor(type("I", (), {"id": 7, "name": "Praktika"}))


@pytest.mark.parametrize("booking,code", [
    (_Booking(), "ok"), (_Booking(hours=1), "ok"),
    (_Booking(hours=-1), "time_passed"), (_Booking("cancelled"), "already_cancelled"),
    (_Booking("completed"), "completed"), (_Booking("no_show"), "no_show")])
def test_policy_for_an_integration(booking, code):
    assert policy.can_cancel(booking, PMS, _Settings(), NOW).code == code
    assert policy.can_reschedule(booking, PMS, _Settings(), NOW).code == code
    customer = Actor("customer", 1)
    assert not policy.can_cancel(booking, customer, _Settings(), NOW)  # the same booking


def test_an_integration_is_not_staff_but_acts_for_the_business():
    assert PMS.acts_for_business and not PMS.is_staff and not PMS.is_customer
    assert PMS.label == "Praktika" and PMS.kind == "integration"
    assert not policy.may_change_status(_Booking(), Actor("customer", 1))
