"""Subscribing a device to Web Push: what the notifications page's endpoint keeps and what it
refuses (with a 422 a person can act on, storing nothing), the outbound-address guard the
webhooks use, again before each send, and the service worker's headers."""
import pytest

from portal.messaging.models import Notification
from portal.messaging.push_models import REFUSED, PushDelivery, PushKey, PushSubscription
from portal.messaging.push_subscriptions import DEVICES_MAX, ENDPOINT_MAX
from portal.web.app.security_headers import CSP
from tests.support.forms import csrf_from
from tests.support.push_fixtures import SUBSCRIBE, fw_client, push_service  # noqa: F401
from tests.support.push_fixtures import key_in_page, post_json, run_worker, subscribe, token
from tests.support.push_service import Device, b64, unb64
from tests.support.webhook_guard import network  # noqa: F401


@pytest.fixture
def push_hosts(app, monkeypatch):
    """Set the operator's PUSH_ALLOWED_HOSTS for one test (the suite allows 127.0.0.1)."""
    return lambda value: monkeypatch.setitem(app.config, "PUSH_ALLOWED_HOSTS", value)


def notify(world):
    with_booking = world.upcoming
    Notification.create(staff=world.fw.id, booking=with_booking.id, kind="booking_cancelled",
                        message=f"Booking {with_booking.ref} was cancelled.")


def test_a_browser_subscription_is_kept_for_its_staff_member(fw_client, world, push_service):
    response, device = subscribe(fw_client, push_service.endpoint())
    assert response.status_code == 201
    assert response.get_json()["message"] == "Push notifications are on for this device."
    row = PushSubscription.get()
    keys = device.subscription("x")["keys"]
    assert (row.staff_id, row.endpoint, row.p256dh, row.auth, row.failures) == (
        world.fw.id, push_service.endpoint(), keys["p256dh"], keys["auth"], 0)
    again, _ = subscribe(fw_client, push_service.endpoint(), device)  # the page loads again
    assert again.status_code == 201 and PushSubscription.select().count() == 1
    page = fw_client.get("/fieldworker/notifications").get_data(as_text=True)
    assert "Your devices that get push notifications" in page


def test_the_key_is_made_once_and_kept(fw_client):
    first = key_in_page(fw_client)
    assert key_in_page(fw_client) == first == PushKey.get().public_key
    assert PushKey.select().count() == 1
    raw = unb64(first)
    assert len(raw) == 65 and raw[0] == 4  # an uncompressed P-256 point, as subscribe wants


def test_unsubscribing_forgets_the_device(fw_client, push_service):
    subscribe(fw_client, push_service.endpoint())
    response = post_json(fw_client, "/fieldworker/push/unsubscribe",
                         {"endpoint": push_service.endpoint()})
    assert response.status_code == 200 and not PushSubscription.select().exists()


def test_a_device_is_removed_from_the_list_without_javascript(fw_client, push_service, world):
    subscribe(fw_client, push_service.endpoint())
    row = PushSubscription.get()
    page = fw_client.get("/fieldworker/notifications").get_data(as_text=True)
    response = fw_client.post(f"/fieldworker/push/devices/{row.id}/remove",
                              data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302 and not PushSubscription.select().exists()


def test_someone_elses_device_is_not_found(fw_client, push_service, world):
    from portal.messaging import push_subscriptions
    theirs = push_subscriptions.subscribe(world.fw2.id, **dict(
        Device().subscription(push_service.endpoint())["keys"]),
        endpoint=push_service.endpoint(), require_https=False)
    page = fw_client.get("/fieldworker/notifications").get_data(as_text=True)
    response = fw_client.post(f"/fieldworker/push/devices/{theirs.id}/remove",
                              data={"csrf_token": csrf_from(page)})
    assert response.status_code == 404 and PushSubscription.select().count() == 1
    post_json(fw_client, "/fieldworker/push/unsubscribe", {"endpoint": theirs.endpoint})
    assert PushSubscription.select().count() == 1


def _broken(device_keys, endpoint):
    good = {"endpoint": endpoint, "keys": dict(device_keys)}
    off_curve = b64(b"\x04" + b"\x01" * 64)
    return {
        "no body": None,
        "not an object": ["endpoint"],
        "no endpoint": {"keys": good["keys"]},
        "endpoint not a string": dict(good, endpoint=42),
        "endpoint not a web address": dict(good, endpoint="push.example.com/abc"),
        "endpoint ftp": dict(good, endpoint="ftp://127.0.0.1/push"),
        "endpoint too long": dict(good, endpoint=endpoint + "/" + "a" * ENDPOINT_MAX),
        "endpoint with a password": dict(good, endpoint="http://u:p@127.0.0.1/push"),
        "no keys": {"endpoint": endpoint},
        "p256dh too short": dict(good, keys=dict(good["keys"], p256dh=b64(b"\x04" * 33))),
        "p256dh not on the curve": dict(good, keys=dict(good["keys"], p256dh=off_curve)),
        "p256dh not base64": dict(good, keys=dict(good["keys"], p256dh="!!!not*base64!!!")),
        "auth 15 bytes": dict(good, keys=dict(good["keys"], auth=b64(b"a" * 15))),
        "auth a number": dict(good, keys=dict(good["keys"], auth=16)),
    }


CASES = list(_broken({"p256dh": "", "auth": ""}, "x"))


@pytest.mark.parametrize("case", CASES)
def test_a_subscription_a_browser_would_not_make_is_refused(fw_client, push_service, case):
    keys = Device().subscription("x")["keys"]
    body = _broken(keys, push_service.endpoint())[case]
    response = fw_client.post(SUBSCRIBE, json=body, headers={"X-CSRFToken": token(fw_client)})
    assert response.status_code == 422, (case, response.get_data(as_text=True))
    assert "turn push notifications on again" in response.get_json()["message"]
    assert not PushSubscription.select().exists()


def test_subscribing_needs_the_csrf_token(fw_client, push_service):
    response = fw_client.post(SUBSCRIBE, json=Device().subscription(push_service.endpoint()))
    assert response.status_code == 400 and not PushSubscription.select().exists()


def test_customers_cannot_subscribe(customer_client, push_service):
    response = customer_client.post(SUBSCRIBE, json=Device().subscription(push_service.endpoint()))
    assert response.status_code in (302, 400, 403, 404)
    assert not PushSubscription.select().exists()


@pytest.mark.parametrize("endpoint, words", [
    ("http://127.0.0.1:9/push/x", "this server itself"),
    ("https://10.1.2.3/push/x", "a private network address"),
    ("https://[::ffff:192.168.1.7]/push/x", "a private network address"),
    ("https://169.254.169.254/latest", "the cloud metadata service"),
    ("https://0x7f000001/push/x", "this server itself"),
])
def test_the_guard_refuses_addresses_inside_the_network(fw_client, push_hosts, endpoint, words,
                                                        network):
    push_hosts("")
    response, _ = subscribe(fw_client, endpoint)
    assert response.status_code == 422
    message = response.get_json()["message"]
    assert words in message and "PUSH_ALLOWED_HOSTS" in message
    assert "only sends push notifications to public addresses" in message
    assert not PushSubscription.select().exists() and network.connects == []


def test_production_wants_https(fw_client, app, monkeypatch, push_service):
    monkeypatch.setitem(app.config, "REBOOK_MODE", "production")
    response, _ = subscribe(fw_client, push_service.endpoint())
    assert response.status_code == 422 and "https://" in response.get_json()["message"]
    assert not PushSubscription.select().exists()


def test_no_more_than_ten_devices(fw_client, push_service):
    for n in range(DEVICES_MAX):
        assert subscribe(fw_client, push_service.endpoint(f"d{n}"))[0].status_code == 201
    response, _ = subscribe(fw_client, push_service.endpoint("one-more"))
    assert response.status_code == 422 and "Remove one" in response.get_json()["message"]
    assert PushSubscription.select().count() == DEVICES_MAX


def test_the_worker_checks_the_address_again_and_never_sends_inside(
        app, world, fw_client, push_service, push_hosts, network):
    """A subscription saved while allowed (or a name that now points inside: here the row is
    written as if so) is refused before any connection when the push is due."""
    subscribe(fw_client, push_service.endpoint())
    inside = PushSubscription.create(staff=world.fw.id, endpoint="https://10.20.30.40/push/y",
                                     p256dh=PushSubscription.get().p256dh, auth="A" * 22)
    push_hosts("")
    notify(world)
    network.connects.clear()

    run_worker(app)

    assert push_service.requests == []
    assert not [a for a in network.connects if a[0] in ("10.20.30.40", "127.0.0.1")
                and a[1] != 1]  # 127.0.0.1:1 is the suite's SMTP port, nothing listens there
    deliveries = list(PushDelivery.select())
    assert len(deliveries) == 2 and {d.status for d in deliveries} == {REFUSED}
    refused = PushDelivery.get(PushDelivery.subscription == inside.id)
    assert "a private network address" in refused.last_error and refused.last_status is None


def test_the_page_says_push_is_unavailable_until_the_script_knows_better(fw_client):
    response = fw_client.get("/fieldworker/notifications")
    page = response.get_data(as_text=True)
    assert "Push notifications aren't available on this browser" in page
    assert 'id="push-toggle" hidden' in page and "/static/push.js" in page
    assert response.headers["Content-Security-Policy"] == CSP  # the page's policy, unchanged


def test_the_service_worker_may_control_the_staff_pages(client):
    response = client.get("/static/push-sw.js")
    assert response.status_code == 200
    assert response.headers["Service-Worker-Allowed"] == "/fieldworker/"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert "javascript" in response.headers["Content-Type"]
    assert "showNotification" in response.get_data(as_text=True)
    assert "Service-Worker-Allowed" not in client.get("/static/app.js").headers
