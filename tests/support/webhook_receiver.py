"""A real HTTP receiver on loopback for webhook tests (it checks signatures with its own copy
of the secret, not our signing code, answers from a script, and applies each event once),
and the fixtures and helpers the webhook tests share."""
import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from datetime import timedelta
from types import SimpleNamespace

import pytest

from portal.bookings.models import Booking
from portal.integrations.manage import add_integration
from portal.integrations.webhook_models import WebhookAttempt, WebhookDelivery
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow


def signature_ok(secret, header, body, tolerance=300):
    """Recompute the HMAC-SHA256 of "<t>.<body>" and compare, as a receiver's docs would say."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if "t" not in fields or "v1" not in fields or abs(time.time() - int(fields["t"])) > tolerance:
        return False
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


class Receiver:
    """Every request kept (headers read case-insensitively); `script` answers first (then
    `default`); `applied` counts effects."""

    def __init__(self):
        self.requests = []
        self.script = []  # statuses to answer with, in order
        self.default = 200
        self.secret = None  # set it to check signatures: a bad one is answered 401
        self.applied = Counter()  # event id -> times its effect happened (dedupe keeps it 1)
        self.bad_signatures = 0
        self.lock = threading.Lock()
        self.server = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_port}/hooks/rebook"

    def events(self):
        return [json.loads(r.body) for r in self.requests]

    def handle(self, request):
        """A script entry is a status, or ("applied", status): the receiver commits the
        event's effect and then fails to answer well (so we send it again)."""
        with self.lock:
            self.requests.append(request)
            status = self.script.pop(0) if self.script else self.default
            applies = isinstance(status, tuple) or 200 <= status < 300
            status = status[1] if isinstance(status, tuple) else status
            if self.secret is not None and not signature_ok(
                    self.secret, request.headers.get("Rebook-Signature", ""), request.body):
                self.bad_signatures += 1
                return 401, b'{"error":"bad signature"}'
            event_id = json.loads(request.body)["id"]
            if applies and not self.applied[event_id]:  # idempotent: one effect per event id
                self.applied[event_id] += 1
            return status, b'{"ok":true}' if status < 300 else b"receiver fell over"


def start(receiver, tls=None):
    """Serve on 127.0.0.1 (HTTPS when `tls`, an SSLContext with the server's certificate)."""
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status, answer = receiver.handle(SimpleNamespace(
                method="POST", path=self.path, headers=self.headers, body=body))
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "http://127.0.0.1:1/elsewhere")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    receiver.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        receiver.server.socket = tls.wrap_socket(receiver.server.socket, server_side=True)
    thread = threading.Thread(target=receiver.server.serve_forever,
                              kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return thread


def stop(receiver, thread):
    receiver.server.shutdown()
    receiver.server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def receiver():
    found = Receiver()
    thread = start(found)
    yield found
    stop(found, thread)


@pytest.fixture
def admin(world):
    return Actor("admin", world.admin.id, world.admin.name)


def integration(admin, url, events=("booking.cancelled",), name="CalSync", **extra):
    return add_integration(admin, name=name, kind="calendar", endpoint_url=url,
                           events=list(events), **extra)


def link(booking, integration, ref):
    Booking.update(integration=integration, external_ref=ref).where(
        Booking.id == booking.id).execute()
    return Booking.get_by_id(booking.id)


def fresh(delivery):
    return WebhookDelivery.get_by_id(delivery.id)


def make_due():
    WebhookDelivery.update(next_attempt_at=utcnow() - timedelta(seconds=1)).execute()


def attempts():
    return [(a.number, a.response_status)
            for a in WebhookAttempt.select().order_by(WebhookAttempt.number)]
