"""Fixtures the Web Push tests share: the loopback push service, a fieldworker's logged-in
client, subscribing through the page's endpoint, and running the real worker command."""
import re
from datetime import timedelta

import pytest

from portal.kernel.clock import utcnow
from portal.messaging.push_models import PushDelivery
from tests.support.forms import csrf_from, login
from tests.support.push_service import Device, PushService

SUBSCRIBE = "/fieldworker/push/subscriptions"


@pytest.fixture
def push_service():
    service = PushService().start()
    yield service
    service.stop()


@pytest.fixture
def fw_client(client, world):
    """pytest-flask's client, as Fred the fieldworker (a second client for someone else is
    app.test_client(), made after: the first keeps its request context for the test)."""
    login(client, world.fw.email)
    return client


def token(client):
    return csrf_from(client.get("/fieldworker/notifications").get_data(as_text=True))


def key_in_page(client):
    """The applicationServerKey the notifications page hands its script."""
    page = client.get("/fieldworker/notifications").get_data(as_text=True)
    return re.search(r'data-key="([\w-]+)"', page).group(1)


def post_json(client, url, body, csrf=None):
    return client.post(url, json=body, headers={"X-CSRFToken": csrf or token(client)})


def subscribe(client, endpoint, device=None):
    """Subscribe as the page's script does; returns (response, device)."""
    device = device or Device()
    return post_json(client, SUBSCRIBE, device.subscription(endpoint)), device


def run_worker(app):
    """`flask outbox work --once`: the worker command an operator runs."""
    result = app.test_cli_runner().invoke(args=["outbox", "work", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def make_due():
    PushDelivery.update(next_attempt_at=utcnow() - timedelta(seconds=1)).execute()
