"""What an API request may look like: idempotency keys for retries, the body's size, type and
syntax, the OpenAPI document beside the routes, and a list that costs the same few queries
however long it is."""
import json
import threading
from datetime import timedelta

import pytest

from portal.audit import AuditEvent
from portal.bookings.models import Booking
from portal.integrations.idempotency import ApiIdempotencyKey
from portal.kernel.clock import utcnow
from portal.web.api.openapi import DOCUMENT
from tests.support.api_support import (assert_problem, headers, integration, post, snapshot,
                                       token_for)
from tests.support.api_support import pms, token  # noqa: F401 (fixtures)
from tests.support.bulk import bulk_bookings
from tests.support.forms import login
from tests.support.queries import count_queries


def cancel_url(booking):
    return f"/api/v1/bookings/{booking.ref}/cancel"


def test_a_retried_request_replays_its_answer_and_acts_once(client, world, token):
    first = post(client, cancel_url(world.upcoming), token, {"note": "From the PMS"}, key="k-1")
    assert first.status_code == 200 and "Idempotent-Replayed" not in first.headers
    events = AuditEvent.select().count()
    before = snapshot()
    # Same key, same body (keys in another order, other spacing): the stored answer again.
    again = client.post(cancel_url(world.upcoming), data='{ "note" : "From the PMS" }',
                        headers=headers(token, "k-1"), content_type="application/json")
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert snapshot() == before and AuditEvent.select().count() == events


def test_a_key_reused_for_another_request_is_refused_and_changes_nothing(client, world, token):
    post(client, cancel_url(world.upcoming), token, {"note": "First"}, key="k-2")
    before = snapshot()
    for url, body in ((cancel_url(world.upcoming), {"note": "Second"}),
                      (cancel_url(world.later), {"note": "First"})):
        response = post(client, url, token, body, key="k-2")
        assert "different request" in assert_problem(
            response, 422, "idempotency_key_reused")["detail"]
    assert snapshot() == before
    assert Booking.get_by_id(world.later.id).status == "scheduled"


def test_keys_belong_to_one_integration_and_expire_after_a_day(client, world, pms, token):
    post(client, cancel_url(world.upcoming), token, {}, key="shared")
    other = token_for(integration("Core Practice"))
    assert post(client, cancel_url(world.later), other, {}, key="shared").status_code == 200
    # A day later the key is forgotten: it may name a new request.
    ApiIdempotencyKey.update(created_at=utcnow() - timedelta(hours=25)).where(
        ApiIdempotencyKey.integration == pms.id).execute()
    response = post(client, cancel_url(world.others), token, {}, key="shared")
    assert response.status_code == 200 and "Idempotent-Replayed" not in response.headers
    assert ApiIdempotencyKey.select().count() == 2


def test_a_refused_request_keeps_no_key_so_a_retry_runs_again(client, world, token):
    stale = post(client, cancel_url(world.upcoming), token, {"version": 9}, key="k-3")
    assert_problem(stale, 409, "stale")
    assert ApiIdempotencyKey.select().count() == 0
    fresh = post(client, cancel_url(world.upcoming), token, {"version": 9}, key="k-3")
    assert_problem(fresh, 409, "stale")


def test_a_malformed_key_is_a_400(client, world, token):
    before = snapshot()
    for key in ("", "k" * 256, "caf\u00e9"):
        response = client.post(cancel_url(world.upcoming), data="{}",
                               headers={**headers(token), "Idempotency-Key": key.encode(
                                   "utf-8").decode("latin-1")},
                               content_type="application/json")
        body = assert_problem(response, 400, "invalid_idempotency_key")
        assert body["errors"][0]["header"] == "Idempotency-Key"
    assert snapshot() == before


def test_the_same_key_sent_twice_at_once_acts_once(app, world, token):
    """Two retries racing: one cancels, the other waits for it and replays its answer."""
    answers = []

    def call():
        with app.test_client() as client:
            response = post(client, cancel_url(world.upcoming), token, {"note": "race"},
                            key="race-1")
            answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert [status for status, _ in answers] == [200, 200], answers
    assert answers[0][1] == answers[1][1]
    assert AuditEvent.select().where(AuditEvent.action == "cancelled").count() == 1


@pytest.mark.parametrize("data,content_type,status,code", [
    ("{}", "text/plain", 415, "unsupported_media_type"),
    ("note=hi", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ('{"note": "unterminated', "application/json", 400, "malformed_json"),
    ("", "application/json", 400, "malformed_json"),
    ('{"note": NaN}', "application/json", 400, "malformed_json"),
    (b'{"note": "\xff"}', "application/json", 400, "malformed_json"),
    ("[" * 100_000 + "]" * 100_000, "application/json", 413, "too_large"),
    ('{"note": "' + "x" * 70_000 + '"}', "application/json", 413, "too_large"),
    ('["note"]', "application/json", 422, "invalid"),
])
def test_bodies_that_cannot_be_used_change_nothing(client, world, token, data, content_type,
                                                   status, code):
    before = snapshot()
    response = client.post(cancel_url(world.upcoming), data=data, headers=headers(token, "k"),
                           content_type=content_type)
    assert_problem(response, status, code)
    assert snapshot() == before


def test_deep_json_within_the_size_limit_is_a_400_not_a_crash(client, world, token):
    before = snapshot()
    response = client.post(cancel_url(world.upcoming), data="[" * 30_000 + "]" * 30_000,
                           headers=headers(token), content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"
    assert snapshot() == before


def test_openapi_describes_exactly_the_registered_routes(app, client):
    routes = {(rule.rule.replace("<booking_ref:ref>", "{ref}")
               .replace("<int:service_id>", "{service_id}"), method.lower())
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, item in DOCUMENT["paths"].items()
                  for method in item}
    assert documented == routes
    served = client.get("/api/v1/openapi.json")  # no token needed to read it
    assert served.status_code == 200 and served.get_json() == json.loads(json.dumps(DOCUMENT))
    assert served.get_json()["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_every_operation_documents_its_problems(client):
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert "application/problem+json" in response["content"], (path, status)


def test_listing_costs_the_same_queries_for_ten_or_a_hundred_bookings(client, world, token):
    def queries():
        client.get("/api/v1/bookings?limit=100", headers=headers(token))
        with count_queries() as seen:
            response = client.get("/api/v1/bookings?limit=100", headers=headers(token))
            assert response.status_code == 200
        return len(seen), len(response.get_json()["data"])

    few, shown = queries()
    bulk_bookings(90, [world.customer.id, world.other.id], [world.service.id],
                  [world.fw.id, world.fw2.id])
    many, shown_many = queries()
    assert shown == 7 and shown_many == 97
    assert many == few, (few, many)


def test_a_browser_session_is_no_api_login_and_the_api_sets_no_cookie(client, world, token):
    login(client, world.admin.email)
    before = snapshot()
    response = client.post(cancel_url(world.upcoming), json={})  # admin cookie, no token
    assert_problem(response, 401, "unauthenticated")
    assert snapshot() == before
    answer = client.get(f"/api/v1/bookings/{world.upcoming.ref}", headers=headers(token))
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers
    assert_problem(client.get("/api/v2/bookings"), 404, "not_found")  # not an HTML page


def test_availability_checks_its_date(client, world, token):
    base = f"/api/v1/services/{world.service.id}/availability"
    assert_problem(client.get(base, headers=headers(token)), 422)
    body = assert_problem(client.get(base + "?date=2020-01-01", headers=headers(token)), 422)
    assert body["errors"][0]["parameter"] == "date"
    body = assert_problem(client.get(base + "?date=31/12/2030&fieldworker_id=x",
                                     headers=headers(token)), 422)
    assert {e["parameter"] for e in body["errors"]} == {"date", "fieldworker_id"}


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59-05:00"])
def test_times_at_the_calendars_edges_are_refused_not_a_crash(client, world, token, moment):
    """Found by schemathesis: year 1 shown in New York time overflowed (a 500)."""
    before = snapshot()
    body = assert_problem(post(client, f"/api/v1/bookings/{world.upcoming.ref}/reschedule",
                               token, {"starts_at": moment}), 422)
    assert body["errors"][0]["pointer"] == "#/starts_at"
    assert snapshot() == before
