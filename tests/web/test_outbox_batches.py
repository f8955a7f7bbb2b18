"""The worker's delivery path: one kept-open SMTP connection across batches, reopened when the
server drops it, status writes in constant queries per batch, and messages built by hand that
read back as what was queued. Real aiosmtpd on loopback, real database."""
import email
import email.policy
from datetime import timedelta
from types import SimpleNamespace

from aiosmtpd.controller import Controller

from portal.messaging import outbox
from portal.messaging import smtp as smtp_module
from portal.messaging.mime import build
from portal.kernel.clock import utcnow
from portal.messaging.models import DEAD, PENDING, SENT, OutboxMessage
from portal.messaging.outbox import MAX_ATTEMPTS, enqueue_email, work_once
from portal.messaging.smtp import Mailer
from portal.settings import Settings
from tests.support.queries import count_queries, statements
from tests.support.servers import Sink, free_port, smtp_sink


class Sessions(Sink):
    """A Sink that also notes the connection (aiosmtpd session) each message came on."""

    def __init__(self):
        super().__init__()
        self.sessions = []

    async def handle_DATA(self, server, session, envelope):
        self.sessions.append(id(session))
        return await super().handle_DATA(server, session, envelope)


def mailer_for(port, sender="Rebook <bookings@example.com>", timeout=5):
    state = SimpleNamespace(server="127.0.0.1", port=port, use_ssl=False, use_tls=False,
                            username=None, password=None, debug=0, suppress=False,
                            default_sender=sender)
    return Mailer(state, timeout)


def queue(count, prefix="m", **fields):
    for i in range(count):
        values = dict(to=f"p{i}@example.com", subject=f"Message {i}", text=f"Plain {i}",
                      html=f"<p>HTML {i}</p>")
        values.update(fields)
        enqueue_email(dedupe_key=f"{prefix}:{i}", **values)


def statuses():
    return [m.status for m in OutboxMessage.select().order_by(OutboxMessage.id)]


def test_batches_share_one_kept_open_connection(world):
    queue(5)
    handler = Sessions()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with mailer_for(controller.port) as mailer:
            assert [work_once(2, mailer) for _ in range(4)] == [(2, 0), (2, 0), (1, 0), (0, 0)]
    finally:
        controller.stop()
    assert len(handler.envelopes) == 5 and len(set(handler.sessions)) == 1
    assert statuses() == [SENT] * 5


def test_a_dropped_connection_is_reopened_and_the_message_sent(world):
    """The server restarts between batches (as after an idle timeout): the next batch
    reconnects once and loses nothing."""
    queue(4)
    port = free_port()
    first, second = Sessions(), Sessions()
    controller = Controller(first, hostname="127.0.0.1", port=port)
    controller.start()
    with mailer_for(port) as mailer:
        try:
            assert work_once(2, mailer) == (2, 0)
        finally:
            controller.stop()  # closes the worker's open connection
        controller = Controller(second, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            assert work_once(2, mailer) == (2, 0)
        finally:
            controller.stop()
    assert [len(first.envelopes), len(second.envelopes)] == [2, 2]
    assert sorted(first.keys() + second.keys()) == [f"m:{i}" for i in range(4)]
    assert statuses() == [SENT] * 4


def test_a_server_gone_for_good_fails_the_batch_once_and_keeps_it(world):
    queue(3)
    with smtp_sink() as (sink, port):
        mailer = mailer_for(port)
        assert work_once(1, mailer) == (1, 0)
    # The sink is gone and its port closed: one reconnect is tried, then the batch waits.
    assert work_once(5, mailer) == (0, 2)
    rows = list(OutboxMessage.select().order_by(OutboxMessage.id))
    assert [(r.status, r.attempts) for r in rows] == [(SENT, 1), (PENDING, 1), (PENDING, 1)]
    assert all(r.last_error and r.claimed_at is None for r in rows[1:])
    assert mailer.host is None
    assert len(sink.envelopes) == 1


def test_idle_connection_is_closed_and_reopened(world, monkeypatch):
    queue(2)
    now = [1000.0]
    with smtp_sink() as (sink, port):
        mailer = Mailer(mailer_for(port).state, 5, clock=lambda: now[0])
        assert work_once(1, mailer) == (1, 0)
        first = mailer.host
        now[0] += smtp_module.IDLE_SECONDS + 1
        assert work_once(1, mailer) == (1, 0)
        assert mailer.host is not first and first.sock is None  # the old one was closed
        mailer.close()
    assert len(sink.envelopes) == 2


def test_status_writes_take_the_same_queries_for_any_batch_size(world):
    """Claim in one transaction, one UPDATE for every sent message: a batch of 30 costs
    what a batch of 3 does."""
    queue(33)
    with smtp_sink() as (sink, port), mailer_for(port) as mailer:
        with count_queries() as small:
            assert work_once(3, mailer) == (3, 0)
        with count_queries() as large:
            assert work_once(30, mailer) == (30, 0)
    assert len(small) == len(large) <= 6, large
    assert len(sink.envelopes) == 33 and statuses() == [SENT] * 33


def test_claims_and_marks_run_peewees_statements_kept_per_batch_size(world):
    """The claim's SELECT and UPDATE and the "sent" UPDATE are peewee's SQL, made once per
    batch size on this database and kept (not left to peewee every time because its values
    came out in another order); the rows end as peewee's statements left them."""
    queue(8)
    outbox._KEPT_SQL.clear()
    with smtp_sink() as (sink, port), mailer_for(port) as mailer:
        with statements() as first:
            assert work_once(3, mailer) == (3, 0)
        with statements() as again:
            assert work_once(3, mailer) == (3, 0)
    kept = {key[1:]: sql for key, sql in outbox._KEPT_SQL.items()}
    assert set(kept) == {("claim", 3), ("claimed", 3), ("sent", 3)}
    assert all(isinstance(sql, str) for sql in kept.values()), kept
    assert [sql for sql, _ in first] == [sql for sql, _ in again]
    assert {sql for sql, _ in first} >= set(kept.values())
    rows = list(OutboxMessage.select().order_by(OutboxMessage.id))
    assert [(m.status, m.attempts, m.last_error) for m in rows] == (
        [(SENT, 1, "")] * 6 + [(PENDING, 0, "")] * 2)
    assert all(m.sent_at and m.claimed_at for m in rows[:6]) and len(sink.envelopes) == 6


def test_one_bad_message_fails_alone_and_the_rest_go(world):
    queue(3)
    OutboxMessage.update(subject="Hi\r\nBcc: victim@example.com").where(
        OutboxMessage.dedupe_key == "m:1").execute()
    with smtp_sink() as (sink, port), mailer_for(port) as mailer:
        assert work_once(5, mailer) == (2, 1)
    assert sink.keys() == ["m:0", "m:2"]
    bad = OutboxMessage.get(OutboxMessage.dedupe_key == "m:1")
    assert bad.status == PENDING and "line break" in bad.last_error
    assert not any("victim" in (e.original_content or e.content).decode() for e in sink.envelopes)


def test_a_batch_is_built_before_it_is_sent_and_each_failure_keeps_its_own_reason(world):
    """The worker builds every message of a batch, then sends them: a message that cannot be
    built keeps its own error even when the server goes away before its turn."""
    queue(3)
    OutboxMessage.update(subject="Hi\r\nBcc: victim@example.com").where(
        OutboxMessage.dedupe_key == "m:2").execute()
    with smtp_sink() as (sink, port):
        mailer = mailer_for(port)
        assert work_once(1, mailer) == (1, 0)
    assert work_once(5, mailer) == (0, 2)  # the server is gone: m:1 waits, m:2 is bad
    errors = {m.dedupe_key: m.last_error for m in OutboxMessage.select()}
    assert "line break" in errors["m:2"] and "line break" not in errors["m:1"]
    assert errors["m:1"] and errors["m:0"] == "" and len(sink.envelopes) == 1


class Refusing(Sink):
    """A Sink that answers some recipients at RCPT TO with a reply of their own."""

    def __init__(self, replies):
        super().__init__()
        self.replies = replies

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.replies:
            return self.replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_batchs_failures_take_one_update_and_each_keeps_its_own_error_and_backoff(world):
    """Refused recipients (each with the server's own reply), a message that cannot be
    built and one on its last attempt fail in the same batch: one UPDATE marks them all,
    each row with its own error, attempt count, status and retry time; the rest are sent."""
    queue(6)
    OutboxMessage.update(subject="Hi\r\nBcc: victim@example.com").where(
        OutboxMessage.dedupe_key == "m:3").execute()
    OutboxMessage.update(attempts=MAX_ATTEMPTS - 1).where(
        OutboxMessage.dedupe_key == "m:4").execute()
    OutboxMessage.update(attempts=2).where(OutboxMessage.dedupe_key == "m:1").execute()
    handler = Refusing({"p1@example.com": "550 5.1.1 No such mailbox here",
                        "p2@example.com": "452 4.2.2 Mailbox full, try later",
                        "p4@example.com": "553 5.1.3 Address not allowed"})
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    outbox._KEPT_SQL.clear()
    try:
        with mailer_for(controller.port) as mailer, statements() as seen:
            before = utcnow()
            assert work_once(10, mailer) == (2, 4)
            after = utcnow()
    finally:
        controller.stop()
    assert handler.keys() == ["m:0", "m:5"]
    marks = [sql for sql, _ in seen if sql.startswith('UPDATE "outbox_message"')]
    assert len(marks) == 3, marks  # the claim, "sent", and one for the four failures
    assert isinstance(outbox._KEPT_SQL[(type(outbox._database()), "failed", 4)], str)
    rows = {m.dedupe_key: m for m in OutboxMessage.select()}
    assert {key: (m.status, m.attempts) for key, m in rows.items()} == {
        "m:0": (SENT, 1), "m:1": (PENDING, 3), "m:2": (PENDING, 1), "m:3": (PENDING, 1),
        "m:4": (DEAD, MAX_ATTEMPTS), "m:5": (SENT, 1)}
    assert "No such mailbox here" in rows["m:1"].last_error
    assert "Mailbox full, try later" in rows["m:2"].last_error
    assert "line break" in rows["m:3"].last_error
    assert "Address not allowed" in rows["m:4"].last_error
    assert rows["m:0"].last_error == rows["m:5"].last_error == ""
    for key, attempts in (("m:1", 3), ("m:2", 1), ("m:3", 1), ("m:4", MAX_ATTEMPTS)):
        row = rows[key]
        base = timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))
        assert row.claimed_at is None and row.sent_at is None
        # backoff: base x (0.5 .. 1.5) after the attempt
        assert before + base * 0.5 <= row.next_attempt_at <= after + base * 1.5, key


def test_messages_read_back_as_queued(world):
    """Non-ASCII subject, sender name and text; a line too long for SMTP; an .ics part. The
    sender's name is the business's (Settings), whatever MAIL_DEFAULT_SENDER calls itself."""
    Settings.update(business_name="Café Ménage").execute()
    long_line = "<p>" + "x" * 1500 + "</p>"
    enqueue_email(dedupe_key="u:1", to="zoe@example.com", subject="Réservation annulée ✓",
                  text="Bonjour Zoë,\nà bientôt.\n.\nA dot line above.", html=long_line,
                  ics="BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nEND:VCALENDAR\r\n",
                  ics_method="CANCEL")
    with smtp_sink() as (sink, port), mailer_for(port, "Rebook <hi@ménage.example>") as m:
        assert work_once(5, m) == (1, 0)
    [envelope] = sink.envelopes
    assert envelope.mail_from == "hi@xn--mnage-bsa.example"
    assert envelope.rcpt_tos == ["zoe@example.com"]
    [message] = sink.parsed()
    assert message["Subject"] == "Réservation annulée ✓"
    assert message["From"].addresses[0].display_name == "Café Ménage"
    assert message["X-Rebook-Message"] == "u:1"
    assert message["Message-ID"].endswith("@xn--mnage-bsa.example>")
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text == "Bonjour Zoë,\nà bientôt.\n.\nA dot line above."
    assert message.get_body(("html",)).get_content().replace("\r\n", "\n") == long_line
    assert all(len(line) <= 998 for line in (envelope.original_content or b"").split(b"\r\n"))
    [ics] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert ics.get_param("method") == "CANCEL" and "METHOD:CANCEL" in ics.get_content()
    assert ics.get_filename() == "invite.ics"


def test_plain_text_alone_is_a_single_part(world):
    queue(1, html="")
    row = OutboxMessage.get()
    message = email.message_from_bytes(build(row, "Rebook <b@example.com>", "example.com"),
                                       policy=email.policy.default)
    assert not message.is_multipart()
    assert message.get_content() == "Plain 0" and message["Subject"] == "Message 0"
