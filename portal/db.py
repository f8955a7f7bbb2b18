"""The database: chosen by URL, reached through one proxy, written in locked transactions."""
from contextlib import contextmanager

from peewee import DatabaseProxy, Model, PostgresqlDatabase, SqliteDatabase, fn
from playhouse.db_url import connect

database = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "busy_timeout": 15000,
    "foreign_keys": 1,
    "synchronous": "normal",
}


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


# PostgreSQL connections are pooled per process: a request checks one out in before_request and
# teardown's close() hands it back instead of ending it (a new connection costs a few ms and a
# server process). Defaults suit gunicorn's one-request-at-a-time workers with room for threads.
POOL_SIZE = 10
POOL_STALE_SECONDS = 300  # recycle idle connections so a proxy or firewall never cuts them
POOL_WAIT_SECONDS = 10  # a request waits this long for a free connection, then errors


def open_database(url, pool_size=None, stale_seconds=None):
    """Make a database from `sqlite:///path` or `postgresql://...` and bind the proxy to it."""
    if url.startswith("sqlite"):
        # timeout: Python's sqlite3 waits this long for a lock before "database is locked".
        db = connect(url, pragmas=SQLITE_PRAGMAS, timeout=15)
    elif url.startswith(("postgres://", "postgresql://")):
        scheme, rest = url.split("://", 1)
        db = connect(f"{scheme}+pool://{rest}", max_connections=pool_size or POOL_SIZE,
                     stale_timeout=stale_seconds or POOL_STALE_SECONDS,
                     timeout=POOL_WAIT_SECONDS)
    else:
        raise ValueError(f"DATABASE_URL must start with sqlite:/// or postgresql://, not {url!r}")
    database.initialize(db)
    return db


def is_postgres():
    return isinstance(database.obj, PostgresqlDatabase)


@contextmanager
def write_transaction():
    """A transaction that holds the write lock from its first statement.

    SQLite: BEGIN IMMEDIATE, so two writers never both read then both write.
    PostgreSQL: a plain transaction; rows are locked with locked() below.
    """
    db = database.obj
    if isinstance(db, SqliteDatabase) and db.transaction_depth() == 0:
        with db.atomic("IMMEDIATE"):
            yield
    else:
        with db.atomic():
            yield


def locked(query, skip_locked=False, of=None):
    """SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transaction already serialises.
    `of` (a model) locks only its rows when the query joins others in to read them."""
    if is_postgres():
        return query.for_update(of=of, skip_locked=skip_locked or None)
    return query


def hours_between(start, end):
    """SQL for the hours from `start` to `end` (two naive-UTC datetime columns or expressions).

    The engines disagree on date arithmetic: SQLite counts in Julian days, PostgreSQL in
    intervals, so the expression is built for the database in use.
    """
    if is_postgres():
        return fn.date_part("epoch", end - start) / 3600.0
    return (fn.julianday(end) - fn.julianday(start)) * 24.0
