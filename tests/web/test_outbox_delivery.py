"""The outbox against a real SMTP server (aiosmtpd on loopback): delivery, retry, dead, CLI.

The SMTP handler and `mail_to` are in tests/support/mail.py; the `smtp`, `closed_port` and
`stalled_port` fixtures in tests/conftest.py.
"""
import re
import time
from datetime import timedelta

from aiosmtpd.controller import Controller

from portal.kernel.clock import utcnow
from portal.messaging import outbox
from portal.messaging.models import DEAD, PENDING, SENDING, SENT, OutboxMessage
from portal.messaging.outbox import MAX_ATTEMPTS, enqueue_email, requeue, work_once
from tests.support.forms import csrf_from, login
from tests.support.mail import Collector, mail_to
from tests.support.servers import free_port


def queue(*addresses):
    for i, address in enumerate(addresses):
        enqueue_email(dedupe_key=f"test:{i}", to=address, subject=f"Message {i}",
                      text=f"Plain {i}", html=f"<p>HTML {i}</p>")
    return list(OutboxMessage.select().order_by(OutboxMessage.id))


def fresh(message):
    return OutboxMessage.get_by_id(message.id)


def make_due(message):
    OutboxMessage.update(next_attempt_at=utcnow() - timedelta(seconds=1)).where(
        OutboxMessage.id == message.id).execute()


def test_customer_cancel_is_delivered_by_smtp(client, world, smtp):
    ref = world.upcoming.ref
    login(client, world.customer.email)
    page = client.get(f"/bookings/{ref}").get_data(as_text=True)
    response = client.post(f"/bookings/{ref}/cancel",
                           data={"csrf_token": csrf_from(page), "note": "Sorry, away",
                                 "version": world.upcoming.version})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert smtp.envelopes == []  # the request only queues; the worker sends

    # The customer's notice and one to each of the two assigned fieldworkers.
    assert work_once() == (3, 0)

    assert sorted(e.rcpt_tos[0] for e in smtp.envelopes) == [
        "customer@example.com", "fw2@example.com", "fw@example.com"]
    assert {e.mail_from for e in smtp.envelopes} == {"bookings@example.com"}
    by_to = {m["To"]: m for m in smtp.parsed()}
    message = by_to["customer@example.com"]
    assert ref in message["Subject"]
    row = OutboxMessage.get(OutboxMessage.to_address == "customer@example.com")
    assert message["X-Rebook-Message"] == row.dedupe_key
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    [link] = re.findall(r"View the booking:\s+(\S+)", text)
    assert link.startswith("http://localhost/l/")  # a signed view link: no password needed
    assert "Sorry, away" in text and "Sorry, away" in html
    assert f'href="{link}"' in html
    assert ref in text and ref in html

    staff_mail = by_to["fw@example.com"]
    assert str(staff_mail["Subject"]).strip().startswith("Job cancelled:") and ref in staff_mail["Subject"]
    staff_text = staff_mail.get_body(("plain",)).get_content()
    assert "Casey Customer" in staff_text and "Sorry, away" in staff_text
    assert f"Open the job: http://localhost/fieldworker/jobs/{ref}" in staff_text

    assert (row.status, row.attempts, row.last_error) == (SENT, 1, "")
    assert row.sent_at is not None
    assert work_once() == (0, 0) and len(smtp.envelopes) == 3  # sent once, never again


def test_smtp_down_keeps_the_message_for_a_retry(app, world, smtp, closed_port):
    [message] = queue("customer@example.com")
    with mail_to(app, closed_port):
        assert work_once() == (0, 1)
        row = fresh(message)
        assert (row.status, row.attempts) == (PENDING, 1)
        assert "refused" in row.last_error.lower()
        assert row.next_attempt_at > utcnow()
        assert row.claimed_at is None and row.sent_at is None
        assert work_once() == (0, 0)  # backing off: not due yet, and not touched
        assert fresh(message).attempts == 1

    assert work_once() == (0, 0)  # the server is back, but the message waits for its time
    assert smtp.envelopes == []
    make_due(message)
    assert work_once() == (1, 0)
    row = fresh(message)
    assert (row.status, row.attempts, row.last_error) == (SENT, 2, "")
    assert [e.rcpt_tos for e in smtp.envelopes] == [["customer@example.com"]]


def test_a_batch_goes_over_one_connection(world, smtp):
    addresses = ["a@example.com", "b@example.com", "c@example.com", "d@example.com"]
    queue(*addresses)
    assert work_once() == (4, 0)
    assert [e.rcpt_tos for e in smtp.envelopes] == [[a] for a in addresses]
    assert len(smtp.connections) == 1
    assert [m["Subject"] for m in smtp.parsed()] == [f"Message {i}" for i in range(4)]
    assert {(m.status, m.attempts) for m in OutboxMessage.select()} == {(SENT, 1)}


def test_batch_limit_leaves_the_rest_for_the_next_batch(world, smtp):
    queue("a@example.com", "b@example.com", "c@example.com")
    assert work_once(limit=2) == (2, 0)
    assert [m.status for m in OutboxMessage.select().order_by(OutboxMessage.id)] == [
        SENT, SENT, PENDING]
    assert work_once(limit=2) == (1, 0)
    assert len(smtp.envelopes) == 3 and len(smtp.connections) == 2


def test_dead_after_max_attempts_then_requeued(app, world, smtp, closed_port):
    [message] = queue("customer@example.com")
    with mail_to(app, closed_port):
        for attempt in range(1, MAX_ATTEMPTS + 1):
            make_due(message)
            assert work_once() == (0, 1)
            row = fresh(message)
            assert row.attempts == attempt
            assert row.status == (DEAD if attempt == MAX_ATTEMPTS else PENDING)
        assert row.last_error
        make_due(message)
        assert work_once() == (0, 0)  # dead messages are not retried

    make_due(message)
    assert work_once() == (0, 0)  # not even with the server back
    assert fresh(message).status == DEAD and smtp.envelopes == []

    assert requeue(message.id) == 1
    row = fresh(message)
    assert (row.status, row.attempts, row.last_error, row.claimed_at) == (PENDING, 0, "", None)
    assert row.next_attempt_at <= utcnow()
    assert work_once() == (1, 0)
    assert (fresh(message).status, fresh(message).attempts) == (SENT, 1)
    assert [e.rcpt_tos for e in smtp.envelopes] == [["customer@example.com"]]


def test_a_stale_claim_is_taken_back(world, smtp):
    """A worker that died mid-batch leaves messages 'sending'; after the lease they go out."""
    [message] = queue("customer@example.com")
    OutboxMessage.update(status=SENDING, claimed_at=utcnow() - timedelta(minutes=1)).execute()
    assert work_once() == (0, 0)  # still within the lease: another worker may be sending it
    OutboxMessage.update(
        claimed_at=utcnow() - outbox.CLAIM_LEASE - timedelta(seconds=1)).execute()
    assert work_once() == (1, 0)
    assert fresh(message).status == SENT and len(smtp.envelopes) == 1


def test_cli_outbox_work_once_delivers_pending_mail(app, world, smtp):
    queue("a@example.com", "b@example.com", "c@example.com")
    result = app.test_cli_runner().invoke(args=["outbox", "work", "--once", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["outbox: sent 2, failed 0", "outbox: sent 1, failed 0"]
    assert sorted(e.rcpt_tos[0] for e in smtp.envelopes) == [
        "a@example.com", "b@example.com", "c@example.com"]
    assert {m.status for m in OutboxMessage.select()} == {SENT}


def test_cli_outbox_work_once_with_smtp_down_exits_and_keeps_mail(app, world, closed_port):
    [message] = queue("a@example.com")
    with mail_to(app, closed_port):
        result = app.test_cli_runner().invoke(args=["outbox", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["outbox: sent 0, failed 1"]
    assert (fresh(message).status, fresh(message).attempts) == (PENDING, 1)


class RejectingCollector(Collector):
    """Refuses one recipient at RCPT TO, accepts the rest."""

    def __init__(self, refuse):
        super().__init__()
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_one_refused_address_does_not_stop_the_batch(app, world):
    handler = RejectingCollector("nobody@example.com")
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        first, bad, last = queue("a@example.com", "nobody@example.com", "c@example.com")
        with mail_to(app, controller.port):
            assert work_once() == (2, 1)
    finally:
        controller.stop()
    assert [e.rcpt_tos for e in handler.envelopes] == [["a@example.com"], ["c@example.com"]]
    assert len(handler.connections) == 1
    assert (fresh(first).status, fresh(last).status) == (SENT, SENT)
    row = fresh(bad)
    assert (row.status, row.attempts) == (PENDING, 1)
    assert "No such mailbox" in row.last_error and row.next_attempt_at > utcnow()


def test_a_stalled_smtp_server_times_out_instead_of_hanging_the_worker(app, world,
                                                                        stalled_port):
    [message] = queue("customer@example.com")
    saved = app.config["MAIL_TIMEOUT"]
    app.config["MAIL_TIMEOUT"] = 1
    try:
        with mail_to(app, stalled_port):
            started = time.monotonic()
            assert work_once() == (0, 1)
            elapsed = time.monotonic() - started
    finally:
        app.config["MAIL_TIMEOUT"] = saved
    assert elapsed < 5, f"work_once waited {elapsed:.1f}s on a silent server (MAIL_TIMEOUT=1)"
    row = fresh(message)
    assert (row.status, row.attempts) == (PENDING, 1) and row.last_error
