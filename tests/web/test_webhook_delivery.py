"""Delivering webhooks to a real HTTP receiver on loopback: retries after a 500 with one
effect, resends with the same event id, dead letters, network errors, redirects, timeouts,
and claims that keep two workers from sending one delivery at once."""
import threading
import time
from datetime import timedelta

from portal.audit import AuditEvent
from portal.bookings.services import cancel_booking
from portal.integrations import events
from portal.integrations.delivery import (CLAIM_LEASE, MAX_ATTEMPTS, claim_batch, deliver, resend,
                                          work_once)
from portal.integrations.manage import update_integration
from portal.integrations.webhook_models import (DEAD, DELIVERED, PENDING, WebhookAttempt,
                                                WebhookDelivery)
from portal.kernel.clock import utcnow
from portal.kernel.db import database, write_transaction
from tests.support.forms import csrf_from, login
from tests.support.webhook_receiver import admin, attempts, fresh, integration, make_due, receiver


def test_a_500_is_retried_with_the_same_event_id_and_applied_once(world, admin, receiver):
    calsync = integration(admin, receiver.url)
    receiver.secret, receiver.script = calsync.secret, [500]
    cancel_booking(world.upcoming.ref, admin, channel="admin")
    [queued] = WebhookDelivery.select()
    assert work_once() == (0, 1)
    row = fresh(queued)
    assert (row.status, row.attempts, row.last_status) == (PENDING, 1, 500)
    assert "500" in row.last_error and row.claim_token is None
    assert row.next_attempt_at > utcnow() + timedelta(seconds=10)  # backing off (30 s ± half)
    assert work_once() == (0, 0)  # not due yet: nothing sent

    make_due()
    assert work_once() == (1, 0)
    first, second = receiver.requests
    assert first.headers["Rebook-Event-Id"] == second.headers["Rebook-Event-Id"] \
        == queued.event_id
    assert first.body == second.body and receiver.bad_signatures == 0
    assert receiver.applied == {queued.event_id: 1}
    assert attempts() == [(1, 500), (2, 200)]
    assert WebhookAttempt.get(WebhookAttempt.number == 1).response_snippet == \
        "receiver fell over"
    assert (fresh(queued).status, fresh(queued).attempts) == (DELIVERED, 2)


def test_an_event_the_receiver_applied_but_failed_to_answer_is_not_applied_twice(
        world, admin, receiver):
    calsync = integration(admin, receiver.url)
    receiver.secret, receiver.script = calsync.secret, [("applied", 502)]
    cancel_booking(world.upcoming.ref, admin, channel="admin")
    assert work_once() == (0, 1)
    make_due()
    assert work_once() == (1, 0)
    [queued] = WebhookDelivery.select()
    assert len(receiver.requests) == 2  # the same event arrived twice...
    assert receiver.applied == {queued.event_id: 1}  # ...and took effect once


def test_a_resend_from_the_log_keeps_the_event_id_and_has_no_second_effect(
        client, world, admin, receiver):
    calsync = integration(admin, receiver.url)
    receiver.secret = calsync.secret
    cancel_booking(world.upcoming.ref, admin, channel="admin")
    assert work_once() == (1, 0)
    [queued] = WebhookDelivery.select()

    login(client, world.admin.email)
    page = client.get(f"/admin/integrations/{calsync.id}").get_data(as_text=True)
    assert queued.event_id in page and "HTTP 200" in page
    response = client.post(f"/admin/integrations/{calsync.id}/deliveries/{queued.id}/resend",
                           data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert fresh(queued).status == PENDING
    assert work_once() == (1, 0)
    assert [r.headers["Rebook-Event-Id"] for r in receiver.requests] == [queued.event_id] * 2
    assert receiver.requests[0].body == receiver.requests[1].body
    assert receiver.applied == {queued.event_id: 1}
    assert attempts() == [(1, 200), (2, 200)]
    [resent] = AuditEvent.select().where(AuditEvent.action == "webhook_resent")
    assert (resent.subject_type, resent.subject_id) == ("integration", calsync.id)
    assert resent.after_data["event_id"] == queued.event_id


def test_dead_after_max_attempts_then_a_resend_delivers(world, admin, receiver):
    calsync = integration(admin, receiver.url)
    receiver.default = 503
    cancel_booking(world.upcoming.ref, admin, channel="admin")
    [queued] = WebhookDelivery.select()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        make_due()
        assert work_once() == (0, 1)
        row = fresh(queued)
        assert row.attempts == attempt
        assert row.status == (DEAD if attempt == MAX_ATTEMPTS else PENDING)
    make_due()
    assert work_once() == (0, 0)  # the dead are not retried
    assert len(receiver.requests) == MAX_ATTEMPTS and row.last_status == 503

    receiver.default = 200
    resend(calsync.id, queued.id, admin)
    assert (fresh(queued).status, fresh(queued).attempts) == (PENDING, 0)
    assert work_once() == (1, 0)
    assert fresh(queued).status == DELIVERED
    assert [n for n, _ in attempts()] == list(range(1, MAX_ATTEMPTS + 2))
    assert {r.headers["Rebook-Event-Id"] for r in receiver.requests} == {queued.event_id}


def test_nothing_listening_is_a_network_error_and_retried(world, admin, closed_port):
    integration(admin, f"http://127.0.0.1:{closed_port}/hook")
    cancel_booking(world.upcoming.ref, admin, channel="admin")
    assert work_once() == (0, 1)
    [row] = WebhookDelivery.select()
    [attempt] = WebhookAttempt.select()
    assert attempt.response_status is None and "refused" in attempt.error.lower()
    assert (row.status, row.last_status) == (PENDING, None) and "refused" in row.last_error.lower()


def test_a_redirect_is_a_failure_and_not_followed(world, admin, receiver):
    integration(admin, receiver.url)
    receiver.script = [302]
    cancel_booking(world.upcoming.ref, admin, channel="admin")
    assert work_once() == (0, 1)
    [row] = WebhookDelivery.select()
    assert (row.status, row.last_status) == (PENDING, 302) and "302" in row.last_error
    assert len(receiver.requests) == 1


def test_a_silent_receiver_times_out_instead_of_hanging_the_worker(app, world, admin,
                                                                   stalled_port):
    integration(admin, f"http://127.0.0.1:{stalled_port}/hook")
    cancel_booking(world.upcoming.ref, admin, channel="admin")
    app.config["WEBHOOK_TIMEOUT"] = 1
    try:
        started = time.monotonic()
        assert work_once() == (0, 1)
        elapsed = time.monotonic() - started
    finally:
        app.config.pop("WEBHOOK_TIMEOUT")
    assert elapsed < 5, f"waited {elapsed:.1f}s on a silent receiver (timeout 1 s)"
    [row] = WebhookDelivery.select()
    assert row.status == PENDING and "timed out" in row.last_error.lower()


def test_a_switched_off_integration_gets_nothing_until_resent(world, admin, receiver):
    calsync = integration(admin, receiver.url)
    cancel_booking(world.upcoming.ref, admin, channel="admin")
    update_integration(calsync.id, admin, name="CalSync", kind="calendar",
                       endpoint_url=receiver.url, events=["booking.cancelled"], active=False)
    assert work_once() == (0, 1)
    [row] = WebhookDelivery.select()
    assert row.status == DEAD and "switched off" in row.last_error
    assert receiver.requests == [] and WebhookAttempt.select().count() == 0
    update_integration(calsync.id, admin, name="CalSync", kind="calendar",
                       endpoint_url=receiver.url, events=["booking.cancelled"], active=True)
    resend(calsync.id, row.id, admin)
    assert work_once() == (1, 0) and len(receiver.requests) == 1


# --- Claims: one delivery is never sent by two workers at once -------------------------------

def test_a_claimed_delivery_is_not_claimed_again(world, admin, receiver):
    integration(admin, receiver.url)
    cancel_booking(world.upcoming.ref, admin, channel="admin")
    first, second = claim_batch(), claim_batch()
    assert len(first) == 1 and second == []
    assert [deliver(d) for d in first] == [True] and len(receiver.requests) == 1


def test_a_stalled_worker_stands_down_when_its_claim_was_taken_over(world, admin, receiver):
    integration(admin, receiver.url)
    cancel_booking(world.upcoming.ref, admin, channel="admin")
    [stalled] = claim_batch()  # worker A claims, then stalls past the lease
    WebhookDelivery.update(claimed_at=utcnow() - CLAIM_LEASE - timedelta(seconds=1)).execute()
    [taken] = claim_batch()  # worker B takes it over
    assert deliver(stalled) is None  # A wakes up: no longer its claim, so it sends nothing
    assert deliver(taken) is True
    assert deliver(stalled) is None
    assert len(receiver.requests) == 1 and attempts() == [(1, 200)]


def test_two_workers_in_parallel_send_each_delivery_exactly_once(app, world, admin, receiver):
    integration(admin, receiver.url)
    with write_transaction():
        for n in range(30):
            events.emit("booking.cancelled", lambda n=n: {"n": n})
    results, errors = [], []

    def worker():
        try:
            with app.app_context(), database.connection_context():
                while True:
                    done = work_once(limit=4)
                    results.append(done)
                    if done == (0, 0):
                        break
        except Exception as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    ids = [r.headers["Rebook-Event-Id"] for r in receiver.requests]
    assert len(ids) == len(set(ids)) == 30
    assert sum(delivered for delivered, _ in results) == 30
    assert {d.status for d in WebhookDelivery.select()} == {DELIVERED}
    assert WebhookAttempt.select().count() == 30



def test_flask_outbox_work_delivers_webhooks_too(app, world, admin, receiver):
    integration(admin, receiver.url)
    cancel_booking(world.upcoming.ref, admin, channel="admin")
    result = app.test_cli_runner().invoke(args=["outbox", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert "webhooks: delivered 1, failed 0" in result.output.splitlines()
    assert len(receiver.requests) == 1
