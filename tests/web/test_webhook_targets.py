"""Webhook targets (SSRF): an endpoint inside our network is refused when it is saved and again
before each delivery, however it is spelled; the operator's WEBHOOK_ALLOWED_HOSTS lets named
hosts through; a delivery connects to the address that was checked.

Real traffic only ever goes to receivers on 127.0.0.1. For every other address the `network`
fixture watches the OS boundary: a socket connecting anywhere but loopback fails the test, and
a host name other than localhost is never looked up (no outside DNS), so "refused" here means
refused before any socket was opened.
"""
import pytest

from portal.bookings.services import cancel_booking
from portal.integrations import events, targets
from portal.integrations.delivery import resend, work_once
from portal.integrations.manage import add_integration
from portal.integrations.models import Integration
from portal.integrations.signing import new_secret
from portal.integrations.webhook_models import DELIVERED, REFUSED, WebhookAttempt, WebhookDelivery
from portal.kernel.db import write_transaction
from portal.kernel.errors import InvalidInput
from portal.ops.demo import load_demo
from tests.support.forms import csrf_from, login
from tests.support.webhook_guard import allow, certificates, network, tls_receiver  # noqa: F401
from tests.support.webhook_receiver import admin, fresh, integration, receiver  # noqa: F401

INSIDE = "points inside your network"
NOT_PUBLIC = "is not a public internet address"
OPERATOR = ("Rebook only sends webhooks to public addresses; your server operator can allow "
            "it with WEBHOOK_ALLOWED_HOSTS.")

# (host as written in the URL, the address it means, what the message calls it)
FORBIDDEN = [
    ("127.0.0.1", "127.0.0.1", "this server itself"),
    ("127.8.9.10", "127.8.9.10", "this server itself"),
    ("0x7f000001", "127.0.0.1", "this server itself"),
    ("2130706433", "127.0.0.1", "this server itself"),
    ("017700000001", "127.0.0.1", "this server itself"),
    ("127.1", "127.0.0.1", "this server itself"),
    ("0x7f.0.0.1", "127.0.0.1", "this server itself"),
    ("localhost", "127.0.0.1", "this server itself"),
    ("LocalHost.", "127.0.0.1", "this server itself"),
    ("[::1]", "::1", "this server itself"),
    ("[::ffff:127.0.0.1]", "127.0.0.1", "this server itself"),
    ("[::ffff:7f00:1]", "127.0.0.1", "this server itself"),
    ("[::127.0.0.1]", "127.0.0.1", "this server itself"),
    ("[2002:7f00:1::]", "127.0.0.1", "this server itself"),
    ("[64:ff9b::a9fe:a9fe]", "169.254.169.254", "the cloud metadata service"),
    ("10.1.2.3", "10.1.2.3", "a private network address"),
    ("172.16.5.4", "172.16.5.4", "a private network address"),
    ("192.168.1.20", "192.168.1.20", "a private network address"),
    ("[::ffff:192.168.1.20]", "192.168.1.20", "a private network address"),
    ("[fc00::1]", "fc00::1", "a private network address"),
    ("[fd12:3456::1]", "fd12:3456::1", "a private network address"),
    ("169.254.169.254", "169.254.169.254", "the cloud metadata service"),
    ("[fd00:ec2::254]", "fd00:ec2::254", "the cloud metadata service"),
    ("169.254.1.1", "169.254.1.1", "a link-local address"),
    ("[fe80::1]", "fe80::1", "a link-local address"),
    ("100.64.0.1", "100.64.0.1", "a carrier-grade NAT address"),
    ("0.0.0.0", "0.0.0.0", "the unspecified address, meaning this server"),
    ("0", "0.0.0.0", "the unspecified address, meaning this server"),
    ("[::]", "::", "the unspecified address, meaning this server"),
    ("224.0.0.1", "224.0.0.1", "a multicast address"),
    ("[ff02::1]", "ff02::1", "a multicast address"),
    ("255.255.255.255", "255.255.255.255", "a reserved address"),
    ("240.0.0.1", "240.0.0.1", "a reserved address"),
    ("198.51.100.7", "198.51.100.7", "a reserved address"),
    ("[2001:db8::1]", "2001:db8::1", "a reserved address"),
]
IDS = [host for host, _, _ in FORBIDDEN]


def url_for_host(host, port):
    return f"http://{host}:{port}/hooks/rebook"


def _stored(url, name="Inside"):
    """An integration saved without the form's check, as the demo loader or an older version
    of Rebook may have left it."""
    return Integration.create(name=name, kind="calendar", endpoint_url=url,
                              secret=new_secret(), events="booking.cancelled")


# --- At save -------------------------------------------------------------------------------

@pytest.mark.parametrize("host,address,kind", FORBIDDEN, ids=IDS)
def test_saving_an_address_inside_the_network_is_refused(admin, allow, receiver, network,
                                                         host, address, kind):
    url = url_for_host(host, receiver.server.server_port)
    with pytest.raises(InvalidInput) as refused:
        add_integration(admin, name="Inside", kind="calendar", endpoint_url=url)
    subject = "localhost" if "ocal" in host else "This address"
    verb = NOT_PUBLIC if kind in ("a multicast address", "a reserved address") else INSIDE
    assert refused.value.message == f"{subject} {verb} ({address}, {kind}). {OPERATOR}"
    assert refused.value.code == "endpoint_url" and refused.value.status == 422
    assert Integration.select().count() == 0
    assert network.connects == [] and receiver.requests == []


def test_the_form_answers_422_with_the_reason_and_saves_nothing(client, world, allow,
                                                               receiver):
    login(client, world.admin.email)
    page = client.get("/admin/integrations").get_data(as_text=True)
    response = client.post("/admin/integrations", data={
        "name": "Redis", "kind": "other", "endpoint_url": "http://0x7f000001:6379/",
        "events": ["booking.cancelled"], "cancellations": "manual", "active": "y",
        "csrf_token": csrf_from(page)})
    assert response.status_code == 422
    text = " ".join(response.get_data(as_text=True).split())
    assert ("This address points inside your network (127.0.0.1, this server itself). "
            "Rebook only sends webhooks to public addresses; your server operator can allow "
            "it with WEBHOOK_ALLOWED_HOSTS.") in text
    assert Integration.select().count() == 0


@pytest.mark.parametrize("url", ["https://93.184.215.14/hook", "http://8.8.8.8:8080/in",
                                 "https://[2606:4700:4700::1111]/hook",
                                 "http://[::ffff:8.8.8.8]/"])
def test_a_public_address_is_accepted_without_sending_anything(admin, allow, network, url):
    saved = add_integration(admin, name="Public", kind="other", endpoint_url=url)
    assert saved.endpoint_url == url and network.connects == []


def test_a_name_that_cannot_be_found_is_refused_with_what_to_do(admin, allow):
    with pytest.raises(InvalidInput) as refused:
        add_integration(admin, name="Typo", kind="other",
                        endpoint_url="https://pms.clinic.lan/hook")
    assert "We couldn't find the address of pms.clinic.lan" in refused.value.message
    assert "Check the spelling" in refused.value.message


def test_a_name_is_refused_when_any_of_its_addresses_is_inside(admin, allow, network):
    network.answers["mixed.test"] = [["93.184.215.14", "10.0.0.7"]]
    with pytest.raises(InvalidInput) as refused:
        add_integration(admin, name="Mixed", kind="other", endpoint_url="https://mixed.test/")
    assert refused.value.message.startswith(
        "mixed.test points inside your network (10.0.0.7, a private network address).")


def test_the_operator_allows_names_addresses_and_networks(admin, allow, network):
    allow("pms.clinic.lan, 192.168.1.0/24, fd12::/16, 10.9.8.7")
    for n, url in enumerate(["https://pms.clinic.lan/hook", "http://192.168.1.20:8080/",
                             "http://[fd12:3456::1]/", "http://10.9.8.7/"]):
        add_integration(admin, name=f"LAN {n}", kind="pms", endpoint_url=url)
    assert "pms.clinic.lan" not in network.lookups  # an allowed name is trusted, not looked up
    for url in ("http://192.168.2.1/", "http://10.9.8.8/", "https://pms2.clinic.lan/"):
        with pytest.raises(InvalidInput):
            add_integration(admin, name="Not allowed", kind="pms", endpoint_url=url)
    assert Integration.select().count() == 4


# --- At send -------------------------------------------------------------------------------

@pytest.mark.parametrize("host,address,kind", FORBIDDEN, ids=IDS)
def test_a_delivery_to_an_address_inside_is_refused_before_connecting(
        world, admin, allow, receiver, network, host, address, kind):
    inside = _stored(url_for_host(host, receiver.server.server_port))
    with write_transaction():
        events.emit("booking.cancelled", lambda: {"booking": {"ref": "BK-1"}})
    assert work_once() == (0, 1)
    assert network.connects == [] and receiver.requests == []
    [row] = WebhookDelivery.select()
    [attempt] = WebhookAttempt.select()
    assert row.status == REFUSED and row.last_status is None
    assert f"({address}, {kind})" in row.last_error and "WEBHOOK_ALLOWED_HOSTS" in row.last_error
    assert attempt.refused and attempt.response_snippet == "" and attempt.error == row.last_error
    assert attempt.url == inside.endpoint_url
    assert work_once() == (0, 0)  # refused is final until someone changes something


def test_the_loopback_receiver_gets_nothing_until_the_operator_allows_it(
        client, world, admin, allow, receiver, network):
    allow("127.0.0.1")
    calsync = integration(admin, receiver.url)  # saved while the operator allowed it...
    allow("")  # ...then taken off the list
    cancel_booking(world.upcoming.ref, admin, channel="admin")
    assert work_once() == (0, 1)
    assert receiver.requests == [] and network.connects == []
    [row] = WebhookDelivery.select()
    assert row.status == REFUSED

    login(client, world.admin.email)
    log = " ".join(client.get(f"/admin/integrations/{calsync.id}").get_data(as_text=True)
                   .split())
    assert "Refused" in log and "not sent" in log
    assert "This address points inside your network (127.0.0.1, this server itself)" in log

    allow("127.0.0.1")
    resend(calsync.id, row.id, admin)
    assert work_once() == (1, 0)
    assert len(receiver.requests) == 1 and fresh(row).status == DELIVERED


def test_a_name_that_moves_inside_after_saving_is_refused_at_send(world, admin, allow,
                                                                 receiver, network):
    allow("127.0.0.1")
    network.answers["cal.test"] = [["127.0.0.1"], ["10.0.0.9"]]
    integration(admin, url_for_host("cal.test", receiver.server.server_port))
    cancel_booking(world.upcoming.ref, admin, channel="admin")
    assert work_once() == (0, 1)
    assert receiver.requests == [] and network.connects == []
    assert "cal.test points inside your network (10.0.0.9" in WebhookDelivery.get().last_error


def test_a_delivery_connects_to_the_address_it_checked_with_the_name_as_host(
        world, admin, allow, receiver, network):
    """DNS rebinding: the name answers 127.0.0.1 (allowed) when checked, 10.0.0.9 right after.
    The request still goes to 127.0.0.1, and says which host it is for."""
    allow("127.0.0.1")
    port = receiver.server.server_port
    network.answers["rebind.test"] = [["127.0.0.1"], ["127.0.0.1"], ["10.0.0.9"]]
    integration(admin, url_for_host("rebind.test", port))  # look-up 1: at save
    cancel_booking(world.upcoming.ref, admin, channel="admin")
    assert work_once() == (1, 0)  # look-up 2: before sending; nothing looks it up again
    assert network.lookups.count("rebind.test") == 2
    assert network.connects == [("127.0.0.1", port)]
    [request] = receiver.requests
    assert request.headers["Host"] == f"rebind.test:{port}" and request.path == "/hooks/rebook"


def test_the_demo_calsync_is_refused_and_its_pages_read_well(app, client, allow, network):
    assert load_demo(only_if_empty=True) is True  # it loads although CalSync is on loopback
    calsync = Integration.get(Integration.name == "CalSync")
    with write_transaction():
        events.emit("booking.cancelled", lambda: {"booking": {"ref": "BK-DEMO"}})
    work_once()
    assert network.connects == []
    row = WebhookDelivery.get(WebhookDelivery.integration == calsync.id)
    assert row.status == REFUSED and "(127.0.0.1, this server itself)" in row.last_error
    login(client, "admin@example.com")
    assert client.get("/admin/integrations").status_code == 200
    page = client.get(f"/admin/integrations/{calsync.id}")
    assert page.status_code == 200 and "Refused" in page.get_data(as_text=True)
    delivery = client.get(f"/admin/integrations/{calsync.id}/deliveries/{row.id}")
    assert delivery.status_code == 200 and "Not sent" in delivery.get_data(as_text=True)


def test_the_guard_reads_the_environment_outside_an_app(monkeypatch):
    monkeypatch.setenv("WEBHOOK_ALLOWED_HOSTS", "10.0.0.0/8")
    assert targets.vet("http://10.2.3.4/").addresses == ("10.2.3.4",)
    monkeypatch.setenv("WEBHOOK_ALLOWED_HOSTS", "")
    with pytest.raises(targets.RefusedTarget):
        targets.vet("http://10.2.3.4/")


# --- HTTPS: the certificate is checked for the name in the URL ------------------------------

def test_https_goes_to_the_checked_address_with_the_urls_name_for_sni_and_the_certificate(
        world, admin, allow, tls_receiver, network):
    allow("localhost")
    port = tls_receiver.server.server_port
    integration(admin, f"https://localhost:{port}/hooks/rebook")
    cancel_booking(world.upcoming.ref, admin, channel="admin")
    assert work_once() == (1, 0)
    [request] = tls_receiver.requests
    assert tls_receiver.server_names == ["localhost"]
    assert request.headers["Host"] == f"localhost:{port}"
    assert [address for address, _ in network.connects] == ["127.0.0.1"]


def test_https_to_an_address_the_certificate_does_not_name_fails_unread(
        world, admin, allow, tls_receiver):
    allow("127.0.0.1")
    integration(admin, f"https://127.0.0.1:{tls_receiver.server.server_port}/hooks/rebook")
    cancel_booking(world.upcoming.ref, admin, channel="admin")
    assert work_once() == (0, 1)
    [attempt] = WebhookAttempt.select()
    assert "certificate verify failed" in attempt.error and attempt.response_snippet == ""
    assert tls_receiver.requests == []
