"""What the benchmarks share: a new database, the demo app on one, the bare Flask app, counting
statements, bulk inserts and timing a call."""
import logging
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


def insert_chunks(model, rows, size=500):
    """insert_many in chunks (SQLite caps the parameters of one statement)."""
    for start in range(0, len(rows), size):
        model.insert_many(rows[start:start + size]).execute()


def timed(fn, repeat, warm_up=True):
    """(median, max) milliseconds of `repeat` calls; the warm-up call (template compilation,
    caches) is not measured."""
    if warm_up:
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def bare_client():
    """A test client of the five-line Flask app every ratio is taken against."""
    from flask import Flask
    bare = Flask("bare")
    bare.add_url_rule("/", "hello", lambda: "Hello")
    return bare.test_client()


@contextmanager
def bench_database(postgres=False, name="bench"):
    """The URL of a new, empty database: a SQLite file in a temporary directory, or
    (postgres=True) a database on the embedded PostgreSQL server the tests use, stopped on the
    way out."""
    server = None
    if postgres:
        from bench.serve import _postgres
        server, _home, url, _ = _postgres()
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / f'{name}.db'}"
    try:
        yield url
    finally:
        if server is not None:
            server.cleanup()


@contextmanager
def demo_app(postgres=False, name="bench"):
    """Rebook over a new database (bench_database) holding the demo business. CSRF and rate
    limits are off: the benchmarks post without forms, from one client."""
    from portal import create_app
    from portal.kernel.db import database
    from portal.kernel.migrate import upgrade
    from portal.ops.demo import load_demo
    with bench_database(postgres, name) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench",
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
        with app.app_context(), database.connection_context():
            upgrade()
            load_demo()
        yield app


@contextmanager
def statements():
    """The SQL statements peewee runs inside the block (it logs each at DEBUG); counted here,
    not printed by the app's log."""
    seen = []

    class Counter(logging.Handler):
        def emit(self, record):
            if record.name == "peewee":
                seen.append(record.getMessage())

    logger, handler = logging.getLogger("peewee"), Counter(logging.DEBUG)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield seen
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.WARNING)
        logger.propagate = True
