"""Running a kept statement: peewee's execute_sql steps without its nesting, and on PostgreSQL
the statement prepared once per connection (kernel/compiled.py keeps the texts)."""
import logging
import weakref

import peewee
from peewee import Database, PostgresqlDatabase

# PostgreSQL: the statements each connection has prepared (PREPARE plans once per connection;
# a plain statement is parsed and planned on every run, most of the server's CPU for a small
# query). Weak keys: a connection that ends takes its entry along.
_PREPARED = weakref.WeakKeyDictionary()


def prepared_form(name, sql, holes, db):
    """(PREPARE text, EXECUTE text) of `sql` (with `holes` %s marks) under `name` for
    PostgreSQL, or None to run the plain text (SQLite; or a literal % in the SQL)."""
    pieces = sql.split("%s")
    if not isinstance(db, PostgresqlDatabase) or any("%" in piece for piece in pieces):
        return None
    numbered = pieces[0] + "".join(f"${n}{piece}" for n, piece in enumerate(pieces[1:], 1))
    marks = ", ".join(["%s"] * holes)
    return (f"PREPARE {name} AS {numbered}",
            f"EXECUTE {name} ({marks})" if holes else f"EXECUTE {name}")


def prepare(database, name, statement):
    """Prepare the statement on this thread's connection unless it already is.

    Also inside a transaction: the statements only a write transaction runs (the cancel's
    locked read, its INSERTs) were otherwise parsed and planned afresh on every run, about a
    third of a millisecond of the server's CPU for a read with joins. PostgreSQL's PREPARE is
    not undone by a rollback, so what is noted here stays true; a PREPARE that fails is SQL the
    plain run would reject too. The PREPARE goes past peewee's log: each call stays one
    statement there."""
    state = database._state  # this thread's connection, as connection() finds it
    conn = database.connection() if state.closed else state.conn
    names = _PREPARED.get(conn)
    if names is None:
        names = _PREPARED[conn] = set()
    if name not in names:
        with conn.cursor() as cursor:
            cursor.execute(statement)
        names.add(name)


# Whether a kind of database runs statements by peewee's own Database.execute_sql steps
# (no subclass changes them), worked out once per kind.
_PEEWEE_STEPS = {}
_WRAPPER = getattr(peewee, "__exception_wrapper__")  # peewee's driver-error translation
_LOG = peewee.logger


def execute(db, sql, params, prepared=None):
    """db.execute_sql(sql, params): the same steps (the statement logged at DEBUG as peewee
    logs it, which the query-count tests read; driver errors raised as peewee's), without
    the five Python calls peewee nests them in (execute_sql, _execute_cursor, _log_query,
    cursor, is_closed): about 40 a cancel POST. A closed connection, query hooks or a
    database class of its own go through peewee's execute_sql itself.

    `prepared`: (name, PREPARE text, EXECUTE text) of `sql` (prepared_form), run in its place
    on the steps above; the log still shows `sql`, what the EXECUTE runs."""
    kind = type(db)
    own_steps = _PEEWEE_STEPS.get(kind)
    if own_steps is None:
        own_steps = _PEEWEE_STEPS[kind] = all(
            getattr(kind, name) is getattr(Database, name)
            for name in ("execute_sql", "_execute_cursor", "_log_query", "cursor"))
    state = db._state
    if not own_steps or state.closed or db.query_hooks:
        return db.execute_sql(sql, params)
    if _LOG.isEnabledFor(logging.DEBUG):
        _LOG.debug((sql, params))
    if prepared is not None:
        name, statement, sql = prepared
        with _WRAPPER:
            prepare(db, name, statement)
    with _WRAPPER:
        cursor = state.conn.cursor()
        cursor.execute(sql, params or ())
    return cursor
