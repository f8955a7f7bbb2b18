"""Web Push end to end: a fieldworker's browser-shaped subscription (a P-256 key pair and a
16-byte auth secret made here, as a browser makes them) is saved through the notifications
page's endpoint; a real cancellation notifies them; `flask outbox work --once` sends the push
to a push service on 127.0.0.1, which checks the VAPID token against the instance's public key
and decrypts the payload with the device's private key (tests/support/push_service.py, written
from RFC 8291/8292 without the libraries Rebook sends with). The network fixture fails any
connection that isn't to loopback."""
import json
import time

from portal.bookings.services import cancel_booking
from portal.kernel.actors import Actor
from portal.messaging import push_subscriptions
from portal.messaging.models import Notification
from portal.messaging.push_models import (DEAD, GONE, PENDING, SENT, PushDelivery, PushKey,
                                          PushSubscription)
from portal.messaging.push_send import MAX_ATTEMPTS
from tests.support.forms import login
from tests.support.push_fixtures import fw_client, make_due, push_service  # noqa: F401
from tests.support.push_fixtures import key_in_page, run_worker, subscribe
from tests.support.push_service import Device, vapid_claims
from tests.support.webhook_guard import network  # noqa: F401


def cancel_as_customer(world):
    cancel_booking(world.upcoming.ref, Actor("customer", world.customer.id, world.customer.name),
                   channel="portal")
    return Notification.get((Notification.staff == world.fw.id)
                            & (Notification.booking == world.upcoming.id))


def test_the_fieldworker_gets_an_encrypted_signed_push_with_the_notification(
        app, world, fw_client, push_service, network):
    response, device = subscribe(fw_client, push_service.endpoint())
    assert response.status_code == 201, response.get_json()
    key = key_in_page(fw_client)
    notice = cancel_as_customer(world)  # fw and fw2 are told; only fw subscribed

    output = run_worker(app)

    assert "push: sent 1, failed 0" in output
    assert len(push_service.requests) == 1
    request = push_service.requests[0]
    assert request.path == "/push/v2/device-1"
    assert request.headers["Content-Encoding"] == "aes128gcm"
    assert int(request.headers["TTL"]) > 0
    claims = vapid_claims(request.headers["Authorization"], key)
    assert key == PushKey.get().public_key
    assert claims["aud"] == push_service.origin
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    assert claims["sub"] == "mailto:bookings@example.com"
    shown = json.loads(device.decrypt(request.body))
    assert shown["body"] == notice.message and world.upcoming.ref in notice.message
    assert shown["title"] == world.settings.business_name
    assert shown["url"] == f"/fieldworker/notifications#notification-{notice.id}"
    delivery = PushDelivery.get()
    assert (delivery.status, delivery.last_status, delivery.attempts) == (SENT, 201, 1)
    assert PushSubscription.get().last_success_at is not None
    assert all(address[0] == "127.0.0.1" for address in network.connects)

    run_worker(app)  # the next pass sends nothing again
    assert len(push_service.requests) == 1


def test_a_410_from_the_push_service_removes_the_device(app, world, fw_client, push_service):
    subscribe(fw_client, push_service.endpoint())
    push_service.script = [410]
    cancel_as_customer(world)

    run_worker(app)

    assert len(push_service.requests) == 1
    assert not PushSubscription.select().exists()
    delivery = PushDelivery.get()  # the log keeps what happened
    assert (delivery.status, delivery.last_status, delivery.subscription_id) == (GONE, 410, None)
    assert "removed" in delivery.last_error
    page = fw_client.get("/fieldworker/notifications").get_data(as_text=True)
    assert "Your devices that get push notifications" not in page


def test_a_404_removes_the_device_too(app, world, fw_client, push_service):
    subscribe(fw_client, push_service.endpoint())
    push_service.script = [404]
    cancel_as_customer(world)
    run_worker(app)
    assert not PushSubscription.select().exists()
    assert PushDelivery.get().status == GONE


def test_a_busy_push_service_is_retried_with_backoff(app, world, fw_client, push_service):
    response, device = subscribe(fw_client, push_service.endpoint())
    push_service.script = [503]
    notice = cancel_as_customer(world)

    run_worker(app)
    delivery = PushDelivery.get()
    assert (delivery.status, delivery.attempts, delivery.last_status) == (PENDING, 1, 503)
    assert delivery.next_attempt_at > delivery.created_at
    assert PushSubscription.get().failures == 1
    run_worker(app)  # not due yet: nothing is sent
    assert len(push_service.requests) == 1

    make_due()
    run_worker(app)
    assert len(push_service.requests) == 2
    assert PushDelivery.get().status == SENT and PushSubscription.get().failures == 0
    assert json.loads(device.decrypt(push_service.requests[1].body))["body"] == notice.message


def test_retries_end_after_the_last_attempt(app, world, fw_client, push_service):
    subscribe(fw_client, push_service.endpoint())
    push_service.default = 500
    cancel_as_customer(world)
    for _ in range(MAX_ATTEMPTS):
        make_due()
        run_worker(app)
    assert len(push_service.requests) == MAX_ATTEMPTS
    delivery = PushDelivery.get()
    assert (delivery.status, delivery.attempts) == (DEAD, MAX_ATTEMPTS)
    make_due()
    run_worker(app)
    assert len(push_service.requests) == MAX_ATTEMPTS
    assert PushSubscription.get().failures == MAX_ATTEMPTS  # kept: a 5xx is not "gone"


def test_a_notification_read_before_the_worker_runs_is_not_pushed(app, world, fw_client,
                                                                  push_service):
    subscribe(fw_client, push_service.endpoint())
    notice = cancel_as_customer(world)
    Notification.update(read_at=notice.created_at).execute()
    run_worker(app)
    assert push_service.requests == [] and not PushDelivery.select().exists()


def test_each_device_gets_its_own_push(app, world, fw_client, push_service):
    _, phone = subscribe(fw_client, push_service.endpoint("phone"))
    _, laptop = subscribe(fw_client, push_service.endpoint("laptop"))
    notice = cancel_as_customer(world)
    run_worker(app)
    by_path = {r.path: r for r in push_service.requests}
    assert set(by_path) == {"/push/v2/phone", "/push/v2/laptop"}
    for path, device in (("/push/v2/phone", phone), ("/push/v2/laptop", laptop)):
        assert json.loads(device.decrypt(by_path[path].body))["body"] == notice.message


def test_admins_see_the_push_log(app, world, client, push_service):
    """Fred subscribed (the service call the page's endpoint makes); an admin reads the log."""
    push_subscriptions.subscribe(world.fw.id, **Device().subscription(push_service.endpoint())
                                 ["keys"], endpoint=push_service.endpoint(),
                                 require_https=False)
    push_service.script = [410]
    cancel_as_customer(world)
    run_worker(app)
    login(client, world.admin.email)
    page = client.get("/admin/push-log").get_data(as_text=True)
    assert "Fred Worker" in page and "Device gone" in page and "127.0.0.1" in page
    assert world.upcoming.ref in page
    assert "Push log" in client.get("/admin/emails").get_data(as_text=True)


def test_fieldworkers_cannot_read_the_push_log(fw_client):
    assert fw_client.get("/admin/push-log").status_code in (302, 403, 404)


def test_a_device_whose_keys_cannot_be_used_fails_alone(app, world, fw_client, push_service):
    """A stored key the encryption refuses (written past the endpoint's checks) fails that push
    and is retried later; the good device still gets its push in the same pass."""
    _, device = subscribe(fw_client, push_service.endpoint("good"))
    broken = PushSubscription.create(staff=world.fw.id, endpoint=push_service.endpoint("bad"),
                                     p256dh="AAAA", auth="AAAA")
    notice = cancel_as_customer(world)
    output = run_worker(app)
    assert "push: sent 1, failed 1" in output
    assert [r.path for r in push_service.requests] == ["/push/v2/good"]
    assert json.loads(device.decrypt(push_service.requests[0].body))["body"] == notice.message
    failed = PushDelivery.get(PushDelivery.subscription == broken.id)
    assert failed.status == PENDING and failed.last_error.startswith("Not sent:")
