"""Outbox delivery rate against its limit, side by side in one run.

The worker: work_once (batch 50) over one kept-open connection, as `flask outbox work` runs it,
draining 2,000 queued messages (SQLite) into a local aiosmtpd sink; each message has text, HTML
and an .ics part, like a cancellation notice. The limit: a plain smtplib loop sending the same
messages, built beforehand, over one connection to the same sink. Rounds alternate (limit,
worker, limit, worker...) so a busy machine slows both alike; the ratio is the worker's rate
over the limit's, per round, with the median of the rounds. CPU time of this process per
message is printed too: on a shared machine the sink's scheduling moves wall time a lot, CPU
time much less. A third column drains messages queued the way a cancellation now queues them
(a template name and its values, rendered by the worker as it sends): the same limit, with the
rendering that left the request counted in the worker. The sink runs as its own process (`python -m
aiosmtpd`), as a real SMTP server would, so it does not share this process's interpreter lock.
"""
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from portal import create_app
from portal.kernel.db import database
from portal.kernel.migrate import upgrade
from portal.messaging.mime import build
from portal.messaging.models import SENT, OutboxMessage
from portal.messaging import rendering
from portal.messaging.outbox import enqueue_email, work_once
from portal.messaging.smtp import Mailer

MESSAGES = 2_000
BATCH = 50
ROUNDS = 5
# Shaped like a real cancellation notice: ~370 characters of text, ~1,200 of HTML, and the
# .ics CANCEL part (measured from cancel_booking's email on 2026-11-23).
# Short lines, as the templates render: Flask-Mail sends text and HTML unwrapped (7bit/8bit),
# and an SMTP server may refuse a line over 998 octets (aiosmtpd answers 500).
TEXT = "Your booking is cancelled.\n" * 14
HTML = "<p>Your booking is cancelled.</p>\n" * 35
ICS = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Rebook//Customer portal//EN\r\n"
       "METHOD:CANCEL\r\nBEGIN:VEVENT\r\nSUMMARY:Regular clean\r\n"
       "DTSTART:20261126T120000Z\r\nDTEND:20261126T140000Z\r\nDTSTAMP:20261123T120000Z\r\n"
       "UID:BK-{i:06d}@rebook\r\nSEQUENCE:2\r\nLOCATION:12 Maple Street\r\n"
       "STATUS:CANCELLED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_sink(port, timeout=15):
    sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c",
                             "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                if conn.recv(3) == b"220":
                    return sink
        except OSError:
            time.sleep(0.05)
    sink.kill()
    raise RuntimeError(f"the aiosmtpd sink did not answer on port {port}")


SETTINGS = {"business_name": "Sparkle & Co. Cleaning", "contact_phone": "(555) 010-4477",
            "contact_email": "hello@sparkle.example", "timezone": "America/New_York",
            "currency": "USD"}


def _context(i):
    """A cancellation's values, as queue_booking_cancelled packs them."""
    start = datetime(2026, 11, 26, 12) + timedelta(hours=i)
    return rendering.pack(
        booking={"id": i + 1, "ref": f"BK-{i:06d}", "version": 2, "customer_id": 7,
                 "starts_at": start, "ends_at": start + timedelta(hours=2),
                 "address": "12 Maple Street", "price": 12000, "cancel_reason_label": None,
                 "cancel_note": None},
        customer={"id": 7, "name": "Casey Customer", "email": f"person{i}@example.com"},
        service={"name": "Regular clean"}, settings=SETTINGS, fee=None)


def _queue(round_, templated=False):
    with database.atomic():
        for i in range(MESSAGES):
            body = (dict(template="booking_cancelled", context=_context(i)) if templated else
                    dict(text=TEXT, html=HTML, ics=ICS.format(i=i)))
            enqueue_email(dedupe_key=f"bench:{round_}:{i}", to=f"person{i}@example.com",
                          subject=f"Your booking BK-{i:06d} is cancelled", ics_method="CANCEL",
                          **body)


def _worker_round(round_, templated=False):
    """(seconds, CPU seconds) for the worker to drain MESSAGES queued messages."""
    _queue(round_, templated)
    sent = failed = 0
    start, cpu = time.perf_counter(), time.process_time()
    with Mailer.for_app() as mailer:
        while True:
            s, f = work_once(BATCH, mailer)
            if not (s or f):
                break
            sent, failed = sent + s, failed + f
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    delivered = (OutboxMessage.select()
                 .where(OutboxMessage.status == SENT,
                        OutboxMessage.dedupe_key.startswith(f"bench:{round_}:")).count())
    if failed or delivered != MESSAGES:
        raise RuntimeError(f"outbox bench: {delivered} of {MESSAGES} sent, {failed} failures")
    return elapsed, cpu


def _limit_round(port, prebuilt):
    """(seconds, CPU seconds) for a plain smtplib loop to send the same messages, built
    beforehand."""
    start, cpu = time.perf_counter(), time.process_time()
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        for to, data in prebuilt:
            smtp.sendmail("bookings@example.com", [to], data)
    return time.perf_counter() - start, time.process_time() - cpu


def main():
    tmp = Path(tempfile.mkdtemp())
    port = _free_port()
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp / 'delivery.db'}", "SECRET_KEY": "bench",
                      "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
                      "MAIL_SUPPRESS_SEND": False})
    sink = _start_sink(port)
    limits, workers, renders = [], [], []
    try:
        with app.app_context(), database.connection_context():
            upgrade()
            _queue("prebuilt")
            mailer = Mailer.for_app()
            prebuilt = [(m.to_address, build(m, mailer.from_header, mailer.domain))
                        for m in OutboxMessage.select()]
            OutboxMessage.delete().execute()
            for round_ in range(ROUNDS):
                limits.append(_limit_round(port, prebuilt))
                workers.append(_worker_round(round_))
                renders.append(_worker_round(f"t{round_}", templated=True))
    finally:
        sink.terminate()
        sink.wait(10)
    print(f"outbox delivery, {MESSAGES:,} messages a round, batch {BATCH}, SQLite, aiosmtpd sink "
          "on loopback:")
    ratios, render_ratios = [], []
    for i, ((limit, limit_cpu), (worker, worker_cpu), (render, render_cpu)) in enumerate(
            zip(limits, workers, renders), 1):
        ratios.append(limit / worker)
        render_ratios.append(limit / render)
        print(f"  round {i}: worker {MESSAGES / worker:5.0f} messages/s "
              f"({worker_cpu / MESSAGES * 1000:.2f} ms CPU each), plain smtplib loop "
              f"{MESSAGES / limit:5.0f}/s ({limit_cpu / MESSAGES * 1000:.2f} ms CPU each), "
              f"ratio {limit / worker:.2f}; rendering at send {MESSAGES / render:5.0f}/s "
              f"({render_cpu / MESSAGES * 1000:.2f} ms CPU each), ratio {limit / render:.2f}")
    cpu = statistics.median(w[1] for w in workers) / statistics.median(l[1] for l in limits)
    print(f"  median of the rounds: the worker runs at {statistics.median(ratios):.2f} of the "
          f"plain loop's rate (goal: at least 0.67) and spends {cpu:.2f}x its CPU per message; "
          f"rendering as it sends, at {statistics.median(render_ratios):.2f}")


if __name__ == "__main__":
    main()
