"""The database: chosen by URL, reached through one proxy, written in locked transactions."""
import codecs
import time

from peewee import DatabaseProxy, Model, PostgresqlDatabase, SqliteDatabase, fn
from playhouse.db_url import connect, parse
from playhouse.pool import PooledPostgresqlDatabase

database = DatabaseProxy()

# SQLite copies its write-ahead log back into the database file (a checkpoint, with the file's
# fsync) in whichever connection commits past wal_autocheckpoint pages: at SQLite's default of
# 1,000, every 30-odd cancels a customer's request did it, a few milliseconds of CPU and the
# fsyncs' wait. The background worker checkpoints on each pass instead (checkpoint(), `flask
# outbox work`); the app's own connections still do past WAL_BACKSTOP_PAGES (32 MB of log),
# should no worker run or writes outpace it.
WAL_BACKSTOP_PAGES = 8000

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "busy_timeout": 15000,
    "foreign_keys": 1,
    "synchronous": "normal",
    "wal_autocheckpoint": WAL_BACKSTOP_PAGES,
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
POOL_RECHECK_SECONDS = 1.0  # a connection idle longer is checked with a round trip first


class Pool(PooledPostgresqlDatabase):
    """Peewee's pool checks every connection it hands out with a `SELECT 1` round trip: on a
    small page that is a statement in five, and server CPU. A connection handed back less
    than POOL_RECHECK_SECONDS ago, idle and not closed, is handed out again unchecked; one
    that broke meanwhile fails its first statement, that request gets the 503 page, and the
    connection is dropped (drop_connection), as when the server goes away mid-request."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._returned = {}

    def _is_closed(self, conn):
        returned = self._returned.pop(self.conn_key(conn), None)
        if (returned is not None and time.monotonic() - returned < POOL_RECHECK_SECONDS
                and not conn.closed
                and self._adapter.txn_status(conn) == self._adapter.txn_idle):
            return False
        return super()._is_closed(conn)

    def _close(self, conn, close_conn=False):
        key = self.conn_key(conn)
        if not close_conn:
            self._returned[key] = time.monotonic()
        super()._close(conn, close_conn)
        if conn.closed:  # closed for good (stale, or not reusable): nothing to remember
            self._returned.pop(key, None)


# psycopg2 decodes every column name of every result (and each status message) through the
# connection's Python codec, looked up by its table of PostgreSQL encodings: for UTF8 that is
# encodings/utf_8.py's decode, a Python function around the C one, called once per column
# (about 130 a cancel POST). Under a name of its own the same C functions are called directly.
# The text is the same: PostgreSQL sends only valid text in the client encoding (called
# directly, utf_8_decode would leave a character cut off at the very end undecoded instead
# of raising; the server never cuts one). Column values are decoded by psycopg2's own C code
# either way.
DIRECT_UTF8 = "rebook_direct_utf_8"


def _direct_utf8(name):
    if name == DIRECT_UTF8:
        return codecs.CodecInfo(codecs.utf_8_encode, codecs.utf_8_decode, name=DIRECT_UTF8)
    return None


def _decode_utf8_directly():
    """Connections made from now on in this process use the C codec (once per process)."""
    import psycopg2.extensions
    if psycopg2.extensions.encodings.get("UTF8") != DIRECT_UTF8:
        codecs.register(_direct_utf8)
        for name, python_name in list(psycopg2.extensions.encodings.items()):
            if python_name == "utf_8":  # UTF8 and its aliases (UNICODE)
                psycopg2.extensions.encodings[name] = DIRECT_UTF8


def open_database(url, pool_size=None, stale_seconds=None):
    """Make a database from `sqlite:///path` or `postgresql://...` and bind the proxy to it."""
    if url.startswith("sqlite"):
        # timeout: Python's sqlite3 waits this long for a lock before "database is locked".
        db = connect(url, pragmas=SQLITE_PRAGMAS, timeout=15)
    elif url.startswith(("postgres://", "postgresql://")):
        _decode_utf8_directly()
        db = Pool(**parse(url), max_connections=pool_size or POOL_SIZE,
                  stale_timeout=stale_seconds or POOL_STALE_SECONDS, timeout=POOL_WAIT_SECONDS)
    else:
        raise ValueError(f"DATABASE_URL must start with sqlite:/// or postgresql://, not {url!r}")
    database.initialize(db)
    return db


def release_connection():
    """End of a request. PostgreSQL: close() hands the connection back to the pool. SQLite: the
    connection stays open for this thread's next request; opening one costs about a millisecond
    (the first PRAGMA re-reads the whole schema), more than a small page's own queries. Each
    thread has its own (peewee keeps connections per thread), and one in a transaction is
    never closed here (the transaction's own block ends it). (The database itself, not
    the proxy: each of the proxy's attributes is a Python call through its __getattr__.)"""
    db = database.obj
    if db.is_closed() or db.in_transaction():
        return
    if isinstance(db, PostgresqlDatabase):
        db.close()


def drop_connection():
    """Close this thread's connection after the database failed to answer, so the next request
    starts on a new one instead of one that may be broken."""
    try:
        if not database.is_closed() and not database.in_transaction():
            database.close()
    except Exception:  # closing a broken connection may fail too; it is gone either way
        pass


def checkpoint():
    """SQLite: copy what the write-ahead log holds into the database file as far as no reader
    still needs it, waiting for no one (PASSIVE; the next write starts the log over once all
    of it is copied); (pages in the log, pages copied). PostgreSQL checkpoints on its own:
    (0, 0). Called by the background worker on every pass."""
    db = database.obj
    if isinstance(db, PostgresqlDatabase):
        return 0, 0
    _busy, logged, copied = db.execute_sql("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return max(logged, 0), max(copied, 0)


def is_postgres():
    return isinstance(database.obj, PostgresqlDatabase)


class write_transaction:
    """A transaction that holds the write lock from its first statement: `with write_transaction():`

    SQLite: BEGIN IMMEDIATE, so two writers never both read then both write.
    PostgreSQL: a plain transaction; rows are locked with locked() below.

    The outermost block enters and leaves peewee's own transaction object (the one
    db.atomic() would make: same BEGIN, COMMIT or ROLLBACK, commit callbacks, and a nested
    atomic() inside becomes a savepoint as before) directly, without atomic()'s wrapper and a
    generator context manager around it: about 15 Python calls a write saved. A block
    inside another transaction is db.atomic()'s savepoint, as it always was."""

    __slots__ = ("_inner",)

    def __enter__(self):
        db = database.obj
        if db.transaction_depth() == 0:
            immediate = isinstance(db, SqliteDatabase)
            self._inner = db.transaction("IMMEDIATE") if immediate else db.transaction()
        else:
            self._inner = db.atomic()
        self._inner.__enter__()

    def __exit__(self, exc_type, exc_val, exc_tb):
        return self._inner.__exit__(exc_type, exc_val, exc_tb)


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
