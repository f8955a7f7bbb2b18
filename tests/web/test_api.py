"""The /api/v1/ JSON API through real HTTP calls: reading, cancelling, rescheduling and linking
bookings as an integration, by the back office's own rules, and every refusal as problem+json
with nothing changed."""
from datetime import timedelta

import pytest

from portal.audit import AuditEvent
from portal.bookings.models import Booking
from portal.integrations import tokens
from portal.kernel.actors import actor_for
from portal.kernel.clock import utcnow
from portal.kernel.timefmt import to_local
from portal.messaging.models import OutboxMessage
from portal.settings import CancellationReason
from tests.support.api_support import (assert_problem, headers, integration, post, snapshot,
                                       token_for)
from tests.support.api_support import pms, token  # noqa: F401 (fixtures)
from tests.support.days import working_day


def url(booking, action=""):
    return f"/api/v1/bookings/{booking.ref}" + (f"/{action}" if action else "")


def test_reads_one_booking_with_its_people_times_and_version(client, world, token):
    response = client.get(url(world.upcoming), headers=headers(token))
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["ref"] == world.upcoming.ref and body["status"] == "scheduled"
    assert body["starts_at"] == world.upcoming.starts_at.isoformat() + "Z"
    assert [f["name"] for f in body["fieldworkers"]] == ["Fred Worker", "Gina Helper"]
    assert body["customer"]["email"] == "customer@example.com"
    assert body["version"] == 1 and body["cancellation"] is None
    assert body["price"] == 9000 and body["currency"] == "USD"


def test_lists_in_start_order_page_by_page_with_a_cursor(client, world, token):
    seen, cursor = [], None
    for _ in range(10):
        query = "?limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = client.get("/api/v1/bookings" + query, headers=headers(token)).get_json()
        seen += [b["ref"] for b in body["data"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    expected = [b.ref for b in Booking.select().order_by(Booking.starts_at, Booking.id)]
    assert seen == expected and len(seen) == 7


def test_list_filters_by_status_start_range_and_changes_since(client, world, token):
    def refs(query):
        response = client.get("/api/v1/bookings?" + query, headers=headers(token))
        assert response.status_code == 200, response.get_json()
        return {b["ref"] for b in response.get_json()["data"]}

    assert refs("status=cancelled") == {world.cancelled.ref}
    start = (utcnow() + timedelta(days=2)).replace(microsecond=0).isoformat() + "Z"
    # An unencoded "+" arrives as a space; the offset is still understood.
    end = (utcnow() + timedelta(days=5)).replace(microsecond=0).isoformat() + "+00:00"
    assert refs(f"starts_from={start}&starts_to={end}") == {
        world.upcoming.ref, world.cancelled.ref, world.others.ref}
    since = utcnow().isoformat() + "Z"
    assert refs(f"updated_since={since}") == set()
    assert post(client, url(world.later, "cancel"), token, {}).status_code == 200
    assert refs(f"updated_since={since}") == {world.later.ref}


def test_bad_list_parameters_are_named_in_errors(client, world, token):
    response = client.get("/api/v1/bookings?status=lost&limit=500&starts_from=yesterday"
                          "&cursor=nonsense", headers=headers(token))
    body = assert_problem(response, 422, "invalid")
    assert {e["parameter"] for e in body["errors"]} == {"status", "limit", "starts_from",
                                                        "cursor"}


def test_a_misspelt_or_nameless_parameter_is_refused_not_ignored(client, world, token):
    # Ignored, `stauts` would answer with every booking as though the filter had been applied.
    for query, name in (("stauts=cancelled", "stauts"), ("=0.0", "")):
        response = client.get(f"/api/v1/bookings?{query}", headers=headers(token))
        body = assert_problem(response, 422, "invalid")
        assert [e["parameter"] for e in body["errors"]] == [name]
        assert "the parameters are cursor, external_ref, limit" in body["errors"][0]["detail"]
    response = client.get(f"/api/v1/services/{world.service.id}/availability?date=2030-01-07"
                          "&worker=1", headers=headers(token))
    assert [e["parameter"] for e in assert_problem(response, 422, "invalid")["errors"]] == [
        "worker"]


def test_cancels_as_the_integration_through_the_web_s_service(client, world, pms, token):
    before_mail = OutboxMessage.select().count()
    response = post(client, url(world.upcoming, "cancel"), token,
                    {"reason": "schedule CONFLICT", "note": "Cancelled at the front desk",
                     "version": 1})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "cancelled" and body["version"] == 2
    assert body["cancellation"]["by"] == "integration"
    assert body["cancellation"]["channel"] == "integration"
    assert body["cancellation"]["reason"] == "Schedule conflict"
    booking = Booking.get_by_id(world.upcoming.id)
    assert (booking.status, booking.cancel_channel, booking.cancelled_by_kind,
            booking.cancelled_by_id) == ("cancelled", "integration", "integration", pms.id)
    event = AuditEvent.for_subject("booking", booking.id).order_by(AuditEvent.id.desc()).get()
    assert (event.action, event.channel, event.actor_kind, event.actor_label) == (
        "cancelled", "integration", "integration", "Praktika")
    assert event.note == "Cancelled at the front desk"
    assert OutboxMessage.select().count() > before_mail  # the customer is emailed, as ever


def test_an_integration_acts_for_the_business_not_under_the_customer_rules(client, world,
                                                                           token):
    """The notice window and the customer flags bind customers; the practice's own system
    cancels a booking 5 hours away like the front desk would, and charges no late fee."""
    world.settings.cancel_notice_hours = 48
    world.settings.customers_may_cancel = False
    world.settings.save()
    response = post(client, url(world.soon, "cancel"), token, {})
    assert response.status_code == 200, response.get_json()
    assert Booking.get_by_id(world.soon.id).status == "cancelled"


@pytest.mark.parametrize("which,status,code", [
    ("past", 409, "time_passed"), ("cancelled", 409, "already_cancelled"),
    ("completed", 409, "completed")])
def test_policy_refusals_are_problems_and_change_nothing(client, world, token, which, status,
                                                         code):
    before = snapshot()
    response = post(client, url(getattr(world, which), "cancel"), token, {"note": "x"},
                    key=f"key-{which}")
    body = assert_problem(response, status, code)
    assert "can't be cancelled" in body["detail"]
    assert snapshot() == before


def test_a_stale_version_is_a_conflict_and_changes_nothing(client, world, token):
    before = snapshot()
    for action, body in (("cancel", {"version": 7}),
                         ("external-ref", {"external_ref": "A-1", "version": 7})):
        method = "put" if action == "external-ref" else "post"
        response = post(client, url(world.upcoming, action), token, body, method=method)
        assert_problem(response, 409, "stale")
    assert snapshot() == before


def test_unknown_reason_and_long_note_are_field_errors(client, world, token):
    before = snapshot()
    response = post(client, url(world.upcoming, "cancel"), token, {"reason": "Bored"})
    body = assert_problem(response, 422, "invalid")
    assert body["errors"][0]["pointer"] == "#/reason"
    response = post(client, url(world.upcoming, "cancel"), token,
                    {"note": "n" * 256, "colour": "red", "reason_id": True})
    body = assert_problem(response, 422, "invalid")
    assert {e["pointer"] for e in body["errors"]} == {"#/note", "#/colour", "#/reason_id"}
    other = CancellationReason.get(CancellationReason.is_other)
    response = post(client, url(world.upcoming, "cancel"), token, {"reason_id": other.id})
    assert "please say why in the note" in assert_problem(response, 422)["detail"]
    assert snapshot() == before


def _free_start(client, token, service, days_ahead):
    day = working_day(to_local(utcnow(), "America/New_York").date(), days_ahead)
    response = client.get(f"/api/v1/services/{service.id}/availability?date={day.isoformat()}",
                          headers=headers(token))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["slots"]


def test_reschedules_to_a_free_start_the_availability_endpoint_offered(client, world, token):
    slot = next(s for s in _free_start(client, token, world.service, 5)
                if world.fw2.id in s["fieldworker_ids"])
    response = post(client, url(world.later, "reschedule"), token,
                    {"starts_at": slot["starts_at"], "fieldworker_id": world.fw2.id,
                     "version": 1})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["starts_at"] == slot["starts_at"] and body["reschedule_count"] == 1
    assert [f["name"] for f in body["fieldworkers"]] == ["Gina Helper"]
    event = AuditEvent.for_subject("booking", world.later.id).order_by(AuditEvent.id.desc()).get()
    assert (event.action, event.channel, event.actor_label) == (
        "rescheduled", "integration", "Praktika")
    # Gina is busy then now: that start is no longer offered with her.
    assert not any(s["starts_at"] == slot["starts_at"] and world.fw2.id in s["fieldworker_ids"]
                   for s in _free_start(client, token, world.service, 5))


def test_reschedule_refusals_change_nothing(client, world, token):
    before = snapshot()
    off_grid = (world.later.starts_at + timedelta(days=1)).replace(minute=7)
    response = post(client, url(world.later, "reschedule"), token,
                    {"starts_at": off_grid.isoformat() + "Z"})
    assert "Appointments start every" in assert_problem(response, 422)["detail"]
    response = post(client, url(world.later, "reschedule"), token,
                    {"starts_at": "2030-01-01T09:00:00"})  # no offset: ambiguous
    assert assert_problem(response, 422)["errors"][0]["pointer"] == "#/starts_at"
    response = post(client, url(world.past, "reschedule"), token,
                    {"starts_at": "2031-01-01T14:00:00Z"})
    assert_problem(response, 409, "time_passed")
    assert snapshot() == before


def test_links_a_booking_to_the_integration_s_own_id(client, world, pms, token):
    response = post(client, url(world.upcoming, "external-ref"), token,
                    {"external_ref": "PRK-1001"}, method="put")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["integration"] == {"id": pms.id, "name": "Praktika"}
    assert body["external_ref"] == "PRK-1001" and body["version"] == 2
    found = client.get("/api/v1/bookings?external_ref=PRK-1001", headers=headers(token))
    assert [b["ref"] for b in found.get_json()["data"]] == [world.upcoming.ref]
    events = AuditEvent.select().where(AuditEvent.action == "external_ref_linked").count()
    # Sending the same link again changes nothing; another booking can't take the same id.
    again = post(client, url(world.upcoming, "external-ref"), token,
                 {"external_ref": "PRK-1001"}, method="put")
    assert again.status_code == 200 and again.get_json()["version"] == 2
    before = snapshot()
    taken = post(client, url(world.later, "external-ref"), token, {"external_ref": "PRK-1001"},
                 method="put")
    assert "already linked" in assert_problem(taken, 409, "external_ref_taken")["detail"]
    assert snapshot() == before
    assert AuditEvent.select().where(AuditEvent.action == "external_ref_linked").count() == events


def test_another_system_cannot_take_over_a_linked_booking(client, world, pms, token):
    post(client, url(world.upcoming, "external-ref"), token, {"external_ref": "A"}, method="put")
    other = token_for(integration("Core Practice"))
    before = snapshot()
    response = post(client, url(world.upcoming, "external-ref"), other, {"external_ref": "A"},
                    method="put")
    assert_problem(response, 409, "linked_elsewhere")
    assert snapshot() == before
    unlinked = post(client, url(world.upcoming, "external-ref"), token, {"external_ref": None},
                    method="put")
    assert unlinked.get_json()["integration"] is None


def test_missing_bad_revoked_and_switched_off_tokens_are_401(client, world, pms, token):
    live = token_for(pms)
    tokens.revoke_token(pms.id, tokens.tokens_for(pms.id)[-1].id, actor_for(world.admin))
    before = snapshot()
    target = url(world.upcoming, "cancel")
    response = post(client, target, token, {})  # the token revoked above (the oldest)
    assert_problem(response, 401, "invalid_token")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    response = client.post(target, json={})
    assert_problem(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    for bad in ("rbk_not-a-token", live[:-1], "x" * 5000, "Basic dXNlcjpwYXNz"):
        assert_problem(post(client, target, bad, {}), 401)
    pms.active = False
    pms.save()
    assert_problem(post(client, target, live, {}), 401, "invalid_token")
    assert snapshot() == before


def test_a_read_only_token_may_read_but_not_change(client, world, pms):
    reader = token_for(pms, [tokens.READ])
    writer = token_for(pms, [tokens.WRITE])
    assert client.get(url(world.upcoming), headers=headers(reader)).status_code == 200
    before = snapshot()
    response = post(client, url(world.upcoming, "cancel"), reader, {}, key="k")
    assert_problem(response, 403, "insufficient_scope")
    assert 'scope="bookings:write"' in response.headers["WWW-Authenticate"]
    assert_problem(client.get(url(world.upcoming), headers=headers(writer)), 403,
                   "insufficient_scope")
    assert snapshot() == before


def test_a_missing_booking_is_a_404_problem(client, world, token):
    before = snapshot()
    for path in ("/api/v1/bookings/BK-NOPE99", "/api/v1/bookings/BK-NOPE99/cancel",
                 "/api/v1/bookings/" + "A" * 40 + "/cancel", "/api/v1/bookings/BK-%00/cancel",
                 "/api/v1/nothing-here",
                 "/api/v1/services/99999999999/availability?date=2031-01-01"):
        method = client.get if "/cancel" not in path else client.post
        response = method(path, headers=headers(token), json={})
        assert_problem(response, 404)
        assert "<html" not in response.get_data(as_text=True)
    assert snapshot() == before


def test_the_wrong_method_is_a_405_problem_with_allow(client, world, token):
    response = client.delete(url(world.upcoming), headers=headers(token))
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_too_many_calls_are_a_429_problem(app, client, world, token):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    try:
        statuses = [client.get(url(world.upcoming), headers=headers(token)).status_code
                    for _ in range(3)]
        response = client.get(url(world.upcoming), headers=headers(token))
    finally:
        app.config.pop("API_RATE_LIMIT")
    assert statuses == [200, 200, 200]
    assert_problem(response, 429, "rate_limited")
