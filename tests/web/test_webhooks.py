"""Outgoing webhooks against a real HTTP receiver on loopback (tests/support/webhook_receiver.py):
the signature and payload each change sends, who receives it, and no webhook for a change
that rolls back. Retries, dead letters, resends and claims: tests/web/test_webhook_delivery.py."""
import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta

import pytest

from portal.billing.invoices import open_invoice
from portal.billing.payments import record_payment
from portal.billing.refunds import approve_refund, mark_processed, reject_refund, request_refund
from portal.bookings.models import Booking
from portal.bookings.scheduling import book_appointment, reschedule_booking
from portal.bookings.services import cancel_booking, mark_completed, mark_no_show
from portal.integrations import signing
from portal.integrations.delivery import work_once
from portal.integrations.events import EVENTS, iso
from portal.integrations.webhook_models import DELIVERED, PENDING, WebhookAttempt, WebhookDelivery
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.orders.models import Product
from portal.orders.services import cancel_order, place_order
from tests.support import webhook_receiver
from tests.support.cancelling import post_cancel
from tests.support.factories import booking as make_booking
from tests.support.slots import free
from tests.support.webhook_receiver import admin, fresh, integration, link, receiver  # noqa: F401


def naive(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)


# --- What the receiver gets ----------------------------------------------------------------

def test_a_cancellation_reaches_the_receiver_signed_with_its_facts(customer_client, world,
                                                                   admin, receiver):
    calsync = integration(admin, receiver.url, applies_cancellations=True)
    booking = link(world.upcoming, calsync, "cal-123")
    receiver.secret = calsync.secret
    assert post_cancel(customer_client, booking, note="Away that week").status_code == 302
    assert receiver.requests == []  # the request only queues; the worker sends
    [queued] = WebhookDelivery.select()
    assert (queued.status, queued.event_type, queued.attempts) == (PENDING,
                                                                  "booking.cancelled", 0)

    assert work_once() == (1, 0)
    [request] = receiver.requests
    headers = request.headers
    assert request.path == "/hooks/rebook" and receiver.bad_signatures == 0
    assert headers["Content-Type"] == "application/json"
    assert headers["Rebook-Event-Id"] == queued.event_id
    assert headers["Rebook-Event-Type"] == "booking.cancelled"
    stamp, digest = (part.split("=", 1)[1] for part in headers["Rebook-Signature"].split(","))
    assert abs(time.time() - int(stamp)) < 60
    assert digest == hmac.new(calsync.secret.encode(), f"{stamp}.".encode() + request.body,
                              hashlib.sha256).hexdigest()
    assert not webhook_receiver.signature_ok("another-secret", headers["Rebook-Signature"],
                                             request.body)
    assert request.body.decode() == queued.body  # byte for byte what was stored and signed

    event = json.loads(request.body)
    assert list(event) == ["id", "type", "schema_version", "created_at", "data"]
    assert event["id"] == queued.event_id and event["id"].startswith("evt_")
    assert (event["type"], event["schema_version"]) == ("booking.cancelled", 1)
    assert event["created_at"].endswith("Z")
    assert abs(naive(event["created_at"]) - utcnow()) < timedelta(minutes=1)
    data, cancelled = event["data"], Booking.get_by_id(booking.id)
    facts = data["booking"]
    assert (facts["ref"], facts["status"], facts["version"]) == (booking.ref, "cancelled", 2)
    assert facts["starts_at"].endswith("Z") and naive(facts["starts_at"]) == cancelled.starts_at
    assert naive(facts["ends_at"]) == cancelled.ends_at
    assert facts["timezone"] == world.settings.timezone
    assert facts["customer"] == {"id": world.customer.id, "name": "Casey Customer"}
    assert facts["service"] == {"id": world.service.id, "name": "Regular clean",
                                "duration_minutes": 120}
    assert sorted(s["name"] for s in facts["staff"]) == ["Fred Worker", "Gina Helper"]
    assert (facts["price"], facts["currency"]) == (9000, "USD")
    assert facts["external_ref"] == "cal-123"
    assert facts["cancellation"] == {
        "at": iso(cancelled.cancelled_at), "channel": "portal", "reason": None,
        "note": "Away that week", "by": {"kind": "customer", "id": world.customer.id}}
    assert data["actor"] == {"kind": "customer", "id": world.customer.id,
                             "name": "Casey Customer"}
    assert data["channel"] == "portal"

    row = fresh(queued)
    assert (row.status, row.attempts, row.last_status, row.last_error) == (DELIVERED, 1, 200,
                                                                          "")
    [attempt] = WebhookAttempt.select()
    assert (attempt.number, attempt.response_status, attempt.url) == (1, 200, receiver.url)
    assert attempt.response_snippet == '{"ok":true}' and attempt.duration_ms >= 0
    assert receiver.applied == {queued.event_id: 1}
    assert work_once() == (0, 0) and len(receiver.requests) == 1  # sent once, never again


def test_each_subscriber_gets_its_own_event_and_only_the_linked_one_the_reference(
        world, admin, receiver):
    linked = integration(admin, receiver.url, name="ClinicPro")
    other = integration(admin, receiver.url, name="CalSync")
    integration(admin, receiver.url, name="Orders only", events=("order.placed",))
    integration(admin, receiver.url, name="Switched off", active=False)
    integration(admin, "", name="No endpoint")
    booking = link(world.upcoming, linked, "CP-1")
    cancel_booking(booking.ref, admin, channel="admin")

    rows = {d.integration_id: d for d in WebhookDelivery.select()}
    assert set(rows) == {linked.id, other.id}
    assert rows[linked.id].event_id != rows[other.id].event_id
    assert work_once() == (2, 0)
    sent = {event["id"]: event for event in receiver.events()}
    assert sent[rows[linked.id].event_id]["data"]["booking"]["external_ref"] == "CP-1"
    assert sent[rows[other.id].event_id]["data"]["booking"]["external_ref"] is None


def test_each_change_queues_its_event(world, admin, receiver):
    integration(admin, receiver.url, events=list(EVENTS))
    casey = Actor("customer", world.customer.id, world.customer.name)
    first, second = free(world.service, 5), free(world.service, 7)
    made = book_appointment(world.customer.id, world.service.id, first.starts_at, admin,
                            channel="admin")
    reschedule_booking(made.ref, admin, channel="admin", starts_at=second.starts_at)
    mark_no_show(world.past.ref, admin, channel="admin", note="Not home")
    visited = make_booking(world.customer, world.service, -timedelta(hours=3), world.fw)
    mark_completed(visited.ref, admin, channel="admin")
    cancel_booking(world.upcoming.ref, admin, channel="admin")
    mop = Product.create(name="Mop", price=3900, stock=3)
    order = place_order(world.customer.id, [(mop.id, 2)], casey)
    cancel_order(order.ref, casey, channel="portal")
    invoice = open_invoice(world.later, world.service, world.settings)
    record_payment(invoice.id, 9000, "card", "ch_1", admin)
    approved = request_refund(invoice.id, 1000, "Late", admin, channel="admin")
    approve_refund(approved.id, admin, "Fair")
    mark_processed(approved.id, admin, "RF-77")
    rejected = request_refund(invoice.id, 500, "", admin, channel="admin")
    reject_refund(rejected.id, admin, "Already refunded")

    assert [d.event_type for d in WebhookDelivery.select().order_by(WebhookDelivery.id)] == [
        "booking.created", "booking.rescheduled", "booking.no_show", "booking.completed",
        "booking.cancelled", "order.placed", "order.cancelled", "refund.approved",
        "refund.processed", "refund.rejected"]
    assert work_once() == (10, 0)
    sent = {event["type"]: event["data"] for event in receiver.events()}
    assert sent["booking.created"]["booking"]["ref"] == made.ref
    moved = sent["booking.rescheduled"]
    assert moved["previous"] == {"starts_at": iso(first.starts_at)}
    assert moved["booking"]["starts_at"] == iso(second.starts_at)
    assert moved["booking"]["reschedule_count"] == 1
    assert sent["booking.no_show"]["booking"]["status"] == "no_show"
    assert sent["booking.no_show"]["note"] == "Not home"
    assert sent["booking.completed"]["booking"]["status"] == "completed"
    placed, cancelled = sent["order.placed"]["order"], sent["order.cancelled"]["order"]
    assert placed["ref"] == order.ref and placed["status"] == "placed"
    assert placed["items"] == [{"product": {"id": mop.id, "name": "Mop"}, "quantity": 2,
                                "unit_price": 3900}]
    assert placed["total"] == 7800 and placed["currency"] == "USD"
    assert cancelled["status"] == "cancelled" and cancelled["cancellation"]["channel"] == "portal"
    refund = sent["refund.approved"]["refund"]
    assert (refund["status"], refund["amount"], refund["currency"]) == ("approved", 1000, "USD")
    assert (refund["booking_ref"], refund["order_ref"]) == (world.later.ref, None)
    assert refund["decision_note"] == "Fair"
    assert sent["refund.processed"]["refund"]["processed_reference"] == "RF-77"
    assert sent["refund.rejected"]["refund"]["decision_note"] == "Already refunded"
    assert sent["refund.rejected"]["actor"]["name"] == "Ada Admin"


def test_a_cancellation_that_rolls_back_queues_no_webhook(world, admin, receiver,
                                                         notifications_fail):
    integration(admin, receiver.url)
    casey = Actor("customer", world.customer.id, world.customer.name)
    with pytest.raises(Exception, match="notifications are down"):
        cancel_booking(world.upcoming.ref, casey, channel="portal", note="x")
    assert Booking.get_by_id(world.upcoming.id).status == "scheduled"
    assert WebhookDelivery.select().count() == 0
    assert work_once() == (0, 0) and receiver.requests == []



# --- The signing helper -------------------------------------------------------------------

def test_the_signing_helper_matches_a_plain_hmac_and_refuses_tampering():
    body = '{"id":"evt_1","type":"booking.cancelled"}'.encode()
    header = signing.sign("whsec_test", body, timestamp=1_767_225_600)
    expected = hmac.new(b"whsec_test", b"1767225600." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1767225600,v1={expected}"
    assert signing.verify("whsec_test", header, body, now=1_767_225_600 + 299)
    assert not signing.verify("whsec_test", header, body + b" ", now=1_767_225_600)
    assert not signing.verify("whsec_other", header, body, now=1_767_225_600)
    assert not signing.verify("whsec_test", header, body, now=1_767_225_600 + 301)  # replayed
    assert not signing.verify("whsec_test", "v1=" + expected, body, now=1_767_225_600)
    assert not signing.verify("whsec_test", "", body)


