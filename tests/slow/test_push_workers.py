"""Two worker processes sending Web Push from one queue: both fan the same notifications out
at once and claim from the same pushes, and every device still gets each notification once.
Real processes, a real database (SQLite, or PostgreSQL with REBOOK_TEST_DB=postgres), and the
loopback push service of tests/support/push_service.py, which decrypts every push."""
import json
import time
from collections import Counter

import pytest

from portal.kernel.db import database
from portal.messaging import push_subscriptions
from portal.messaging.models import Notification
from portal.messaging.push_models import SENT, PushDelivery
from tests.support import push_worker_proc
from tests.support.processes import run_together
from tests.support.push_service import Device, PushService

NOTICES = 40
WORKERS = 2


@pytest.fixture
def slow_push_service():
    """Takes a moment over each push, as a real one does, so both workers get a share."""
    service = PushService()
    service.start()
    handle = service.server.RequestHandlerClass.do_POST

    def slower(handler):
        time.sleep(0.02)
        handle(handler)
    service.server.RequestHandlerClass.do_POST = slower
    yield service
    service.stop()


@pytest.mark.slow
def test_two_workers_push_each_notification_to_each_device_once(app, world, database_url,
                                                                 slow_push_service):
    devices = {}
    for name in ("phone", "tablet"):
        devices[f"/push/v2/{name}"] = device = Device()
        push_subscriptions.subscribe(world.fw.id, slow_push_service.endpoint(name),
                                     **device.subscription("")["keys"], require_https=False)
    Notification.insert_many([{"staff": world.fw.id, "kind": "test", "message": f"Notice {n}"}
                              for n in range(NOTICES)]).execute()
    database.close()  # the workers must not wait behind us

    outcomes = run_together(push_worker_proc.drain, WORKERS, 120,
                            args_for=lambda i: (f"worker-{i}", database_url))

    print("workers:", outcomes)
    database.connect(reuse_if_open=True)
    received = Counter()
    for request in slow_push_service.requests:
        shown = json.loads(devices[request.path].decrypt(request.body))
        received[(request.path, shown["body"])] += 1
    assert set(received.values()) == {1}, [k for k, n in received.items() if n > 1][:5]
    assert len(received) == 2 * NOTICES
    assert sum(o["sent"] for o in outcomes) == 2 * NOTICES
    assert all(o["failed"] == 0 for o in outcomes) and all(o["sent"] > 0 for o in outcomes)
    assert {d.status for d in PushDelivery.select()} == {SENT}
    assert PushDelivery.select().count() == 2 * NOTICES
