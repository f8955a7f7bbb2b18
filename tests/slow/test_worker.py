"""The worker process (`flask outbox work`, what `make run` and rebook-worker.service run):
webhooks leave without any SMTP server set up, email then waits in the outbox, and SIGTERM
stops it between batches."""
import os
import signal
import sys
import time

import pytest

from portal.bookings.services import cancel_booking
from portal.integrations.webhook_models import DELIVERED, WebhookDelivery
from portal.messaging.models import PENDING, OutboxMessage
from tests.support.serving import Server, app_env, free_port
from tests.support.webhook_receiver import admin, integration, receiver  # noqa: F401 (fixtures)


@pytest.mark.slow
def test_without_mail_server_webhooks_leave_and_email_waits(app, world, admin, receiver,
                                                             database_url, tmp_path):
    integration(admin, receiver.url)
    cancel_booking(world.upcoming.ref, admin, channel="admin")
    emails = OutboxMessage.select().count()
    assert emails and WebhookDelivery.select().count() == 1
    env = app_env(database_url, free_port())
    del env["MAIL_SERVER"]
    worker = Server([sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "work",
                     "--interval", "0.2"], env, tmp_path / "worker.log", port=None)
    try:
        end = time.monotonic() + 30
        while not receiver.requests and time.monotonic() < end:
            time.sleep(0.1)
        assert len(receiver.requests) == 1, worker.output()
        worker.wait_for_output("webhooks: delivered 1, failed 0")
        assert "email waits in the outbox" in worker.output()
        os.kill(worker.proc.pid, signal.SIGTERM)
        assert worker.proc.wait(15) == 0
        assert worker.output().rstrip().endswith("worker: stopped")
    finally:
        worker.stop()
    assert [d.status for d in WebhookDelivery.select()] == [DELIVERED]
    assert {(m.status, m.attempts) for m in OutboxMessage.select()} == {(PENDING, 0)}
    # ...and the worker's reminder run queued the one due reminder (the booking 5 hours ahead).
    reminders = [m for m in OutboxMessage.select() if m.dedupe_key.startswith("booking_reminder:")]
    assert len(reminders) == 1 and OutboxMessage.select().count() == emails + 1
