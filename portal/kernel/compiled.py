"""Hot queries whose SQL text is built once per kind of database, then run with new values.

Peewee builds a query's SQL anew every time it runs; for the few small queries every page runs
(the logged-in user, the settings row, the booking on its page) that costs several times what
the database spends answering them. A Compiled query is built once with marker values, its
text kept per database kind, and each call runs that text with the real values and reads the
rows through the same peewee query, so callers get the very objects they got before. Each
call is still one statement in peewee's log (the query-count tests see it).

Only for queries whose shape never changes with the values, and whose values are plain
ints or strings (they are passed to the driver as given, without a field's db_value).
"""
import itertools
import weakref

from peewee import DatabaseProxy, PostgresqlDatabase

MARK = 8_675_309_000  # a value no real row or argument uses; recognised as int or text
# PostgreSQL: the statements each connection has prepared (PREPARE plans once per connection;
# a plain statement is parsed and planned on every run, most of the server's CPU for a small
# query). Weak keys: a connection that ends takes its entry along.
_PREPARED = weakref.WeakKeyDictionary()
_NAMES = itertools.count(1)


class Compiled:
    """`Compiled(lambda ref, customer: Booking.select()...where(...), 2)`; then
    `rows(ref, customer)` (a list of what the query yields) or `first(...)` (or None)."""

    def __init__(self, build, arity):
        self._build, self._arity, self._kinds, self._readers = build, arity, {}, {}
        self._name = f"rebook_compiled_{next(_NAMES)}"
        self._model = None

    def _database(self):
        """The database the query's model is bound to now: the app's, or another a caller
        bound with bind_ctx (a migration test, a backup), exactly as the plain query would."""
        if self._model is None:
            self._model = self._build(*range(MARK, MARK + self._arity)).model
        db = self._model._meta.database
        return db.obj if isinstance(db, DatabaseProxy) else db

    def _for_database(self, db):
        kind = type(db)
        entry = self._kinds.get(kind)
        if entry is None:
            marks = [MARK + i for i in range(self._arity)]
            query = self._build(*marks)
            sql, params = query.sql()
            slots = []
            for value in params:
                found = [i for i, m in enumerate(marks) if value == m or value == str(m)]
                slots.append((found[0], None) if found else (None, value))
            if sorted({i for i, _ in slots if i is not None}) != list(range(self._arity)):
                raise ValueError(f"not every argument reached the SQL of {sql!r}")
            entry = self._kinds[kind] = (query, sql, slots,
                                         self._prepared_form(sql, slots, db))
        return entry

    def _prepared_form(self, sql, slots, db):
        """(PREPARE text, EXECUTE text) for PostgreSQL, or None to run the plain text."""
        pieces = sql.split("%s")
        if not isinstance(db, PostgresqlDatabase) or any("%" in piece for piece in pieces):
            return None
        numbered = pieces[0] + "".join(f"${n}{piece}" for n, piece in enumerate(pieces[1:], 1))
        holes = ", ".join(["%s"] * len(slots))
        return (f"PREPARE {self._name} AS {numbered}",
                f"EXECUTE {self._name} ({holes})" if slots else f"EXECUTE {self._name}")

    def cursor(self, *args):
        """The raw cursor, and the query that reads its rows into peewee's objects."""
        db = self._database()
        query, sql, slots, prepared = self._for_database(db)
        params = [value if i is None else args[i] for i, value in slots]
        if prepared is not None and self._prepare(db, prepared[0]):
            sql = prepared[1]
        return db.execute_sql(sql, params), query

    def _prepare(self, database, statement):
        """Is the statement prepared on this thread's connection (preparing it now if need be)?
        Never prepared inside a transaction, so a failure there can't spoil one; the PREPARE
        goes past peewee's log: each call stays one statement there."""
        conn = database.connection()
        names = _PREPARED.get(conn)
        if names is None:
            names = _PREPARED[conn] = set()
        if self._name not in names:
            if database.in_transaction():
                return False
            with conn.cursor() as cursor:
                cursor.execute(statement)
            names.add(self._name)
        return True

    def rows(self, *args):
        cursor, query = self.cursor(*args)
        wrapper = query._get_cursor_wrapper(cursor)
        # Peewee works out, for every cursor, which column goes to which model and through
        # which converter: the same answer each time for the same SQL, so it is kept from the
        # first cursor that had a row (what initialize() added) and given to the next ones.
        kind, fresh = type(self._database()), set(wrapper.__dict__)
        reader = self._readers.get(kind)
        if reader is not None:
            wrapper.__dict__.update(reader)
            wrapper.initialized = True
        rows = list(wrapper)
        if reader is None and wrapper.initialized:
            self._readers[kind] = {k: v for k, v in wrapper.__dict__.items() if k not in fresh}
        return rows

    def first(self, *args):
        rows = self.rows(*args)
        return rows[0] if rows else None


def instance(model, data):
    """A model object from already converted column values, as peewee would make it from a
    row (without running every field's setter)."""
    obj = model.__new__(model)
    obj.__data__, obj._dirty, obj.__rel__ = dict(data), set(), {}
    return obj
