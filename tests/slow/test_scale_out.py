"""Scale-out: two app servers and two outbox workers on one database, driven at once.

Two gunicorn servers (two workers each) share SECRET_KEY and DATABASE_URL, as two machines
behind a load balancer would; two `flask outbox work` processes send to an aiosmtpd sink. The
database is the run's: PostgreSQL in `make test-postgres` (the many-machines case), SQLite in
`make test-sqlite` (several processes on one box). Every client is a real HTTP client with its
own cookies and CSRF token, and every answer is kept so the test can say: no 5xx, ever.

A second, smaller test checks the login limit on SQLite with four workers on one box in both
halves of the run, on a database of its own.
"""
import itertools
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from playhouse.db_url import connect
from playhouse.migrations import Runner

from portal.audit import AuditEvent
from portal.bookings.models import CANCELLED, Booking
from portal.kernel.db import database
from portal.kernel.migrate import MIGRATIONS
from portal.messaging.models import SENT, OutboxMessage
from portal.messaging.outbox import enqueue_email
from portal.models import ALL_MODELS
from portal.people import Customer
from tests.support.factories import DEMO_HASH
from tests.support.servers import Browser, app_env, app_server, outbox_workers, smtp_sink

CANCELLERS = 50
QUEUED = 40


class Recorder:
    """Every answer any client got, from any server."""

    def __init__(self):
        self.statuses, self._lock = [], threading.Lock()

    def browser(self, url):
        client = Browser(url)
        for name in ("get", "post"):
            setattr(client, name, self._recording(getattr(client, name)))
        return client

    def _recording(self, call):
        def wrapped(*args, **kwargs):
            response = call(*args, **kwargs)
            with self._lock:
                self.statuses.append(response.status_code)
            return response
        return wrapped


def wrong_passwords(servers, recorder, email, count):
    """`count` wrong passwords for `email`, one after another, alternating between servers."""
    urls = itertools.cycle(servers)
    return [recorder.browser(next(urls)).log_in(email, "not the password").status_code
            for _ in range(count)]


def cancel_at_once(servers, recorder, email, booking):
    """CANCELLERS logged-in browsers, spread over the servers, press Cancel together."""
    barrier = threading.Barrier(CANCELLERS)
    path = f"/bookings/{booking.ref}/cancel"

    def run(i):
        client = recorder.browser(servers[i % len(servers)])
        assert client.log_in(email).status_code == 302
        token = client.token(path)
        barrier.wait(120)
        return client.post(path, {"csrf_token": token, "version": booking.version,
                                  "note": f"Canceller {i}"})

    with ThreadPoolExecutor(CANCELLERS) as pool:
        return list(pool.map(run, range(CANCELLERS)))


def wait_until_sent(deadline=90):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if not OutboxMessage.select().where(OutboxMessage.status != SENT).exists():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.slow
def test_two_servers_and_two_workers_keep_every_limit_and_race(app, database_url, world,
                                                               tmp_path):
    keys = [f"scale:{i:03d}" for i in range(QUEUED)]
    with database.atomic():
        for i, key in enumerate(keys):
            enqueue_email(dedupe_key=key, to=f"person{i}@example.com", subject=f"Note {i}",
                          text=f"Plain {i}")
    database.close()  # the servers must not wait behind this connection
    recorder = Recorder()
    with smtp_sink() as (sink, port):
        env = app_env(database_url, MAIL_PORT=port)
        with app_server(env, 2, tmp_path, "web-a") as a, \
                app_server(env, 2, tmp_path, "web-b") as b, \
                outbox_workers(env, 2, tmp_path):
            servers = [a, b]
            # Eight wrong passwords over both servers: refused from the sixth; then the right
            # one is refused too, on either server.
            assert wrong_passwords(servers, recorder, world.other.email, 8) == \
                [422] * 5 + [429] * 3
            for url in servers:
                right = recorder.browser(url)
                response = right.log_in(world.other.email)
                assert response.status_code == 429 and "for this account" in response.text
                assert right.get("/bookings").status_code == 302  # not logged in

            answers = cancel_at_once(servers, recorder, world.customer.email, world.upcoming)
            everything_sent = wait_until_sent()
        delivered = Counter(sink.keys())

    statuses = Counter(r.status_code for r in answers)
    assert statuses == {302: 1, 409: CANCELLERS - 1}, statuses
    assert all("already cancelled" in r.text for r in answers if r.status_code == 409)
    booking = Booking.get_by_id(world.upcoming.id)
    assert (booking.status, booking.version) == (CANCELLED, world.upcoming.version + 1)
    assert AuditEvent.select().where((AuditEvent.subject_id == booking.id)
                                     & (AuditEvent.action == "cancelled")).count() == 1

    queued = {m.dedupe_key for m in OutboxMessage.select()}
    assert everything_sent, Counter(m.status for m in OutboxMessage.select())
    assert set(keys) < queued and f"booking_cancelled:{booking.id}:v{booking.version}" in queued
    assert delivered == Counter({key: 1 for key in queued}), delivered  # each exactly once
    assert not [s for s in recorder.statuses if s >= 500], Counter(recorder.statuses)
    print(f"scale-out: {len(recorder.statuses)} answers {dict(Counter(recorder.statuses))}, "
          f"{len(delivered)} emails delivered once each")


@pytest.mark.slow
def test_login_limit_holds_across_four_workers_on_one_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'rebook.db'}"
    db = connect(url)
    Runner(db, str(MIGRATIONS)).up()
    with db.bind_ctx(ALL_MODELS):
        Customer.create(name="Sam Solo", email="sam@example.com", password_hash=DEMO_HASH)
    db.close()
    recorder = Recorder()
    with app_server(app_env(url), 4, tmp_path) as server:
        def guess(i):
            client = recorder.browser(server)
            token = client.token()
            barrier.wait(60)
            return client.log_in("sam@example.com", "not it", token).status_code

        barrier = threading.Barrier(8)
        with ThreadPoolExecutor(8) as pool:
            at_once = Counter(pool.map(guess, range(8)))
        right = recorder.browser(server).log_in("sam@example.com")
    assert at_once == {422: 5, 429: 3}
    assert right.status_code == 429 and "for this account" in right.text
    assert not [s for s in recorder.statuses if s >= 500]
