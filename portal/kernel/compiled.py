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
from datetime import datetime

import peewee
from peewee import DatabaseProxy, Model

from .row_objects import Reader, Rows, instance
from .statements import execute, prepare, prepared_form  # kernel.compiled.execute: tests

MARK = 8_675_309_000  # a value no real row or argument uses; recognised as int or text
_NAMES = itertools.count(1)
_ALL = weakref.WeakSet()  # every Compiled query, for forget_all()


def forget_all():
    """Every query built again on its next use, from the models as they are then: only for a
    process whose models change shape (a migration test hides the fields a part-migrated
    database doesn't have yet). New statement names, so no connection runs an old PREPARE."""
    for compiled in list(_ALL):
        compiled.forget()


class Compiled:
    """`Compiled(lambda ref, customer: Booking.select()...where(...), 2)`; then
    `rows(ref, customer)` (a list of what the query yields) or `first(...)` (or None)."""

    def __init__(self, build, arity):
        self._build, self._arity = build, arity
        self._model = None
        self.forget()
        _ALL.add(self)

    def forget(self):
        self._kinds, self._readers = {}, {}
        self._name = f"rebook_compiled_{next(_NAMES)}"

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
        return prepared_form(self._name, sql, len(slots), db)

    def text(self):
        """The SQL text for the database in use, built now if need be (ValueError when not
        every argument reaches it)."""
        return self._for_database(self._database())[1]

    def logged_as(self) -> tuple:
        """The texts a run of this query shows in peewee's log on the database in use: its SQL,
        and on PostgreSQL also the EXECUTE of its prepared form (tests pick its runs out)."""
        _, sql, _, prepared = self._for_database(self._database())
        return (sql,) if prepared is None else (sql, prepared[1])

    def cursor(self, *args):
        """The raw cursor, and the query that reads its rows into peewee's objects."""
        return self._run(self._database(), args)

    def _run(self, db, args):
        query, sql, slots, prepared = self._for_database(db)
        params = [value if i is None else args[i] for i, value in slots]
        if prepared is not None:
            prepare(db, self._name, prepared[0])
            sql = prepared[1]
        return execute(db, sql, params), query

    def rows(self, *args):
        db = self._database()  # looked up once for the run and the reading
        cursor, query = self._run(db, args)
        return self._read(cursor, query, type(db))

    def read_rows(self, rows, description):
        """What rows() gives, from raw rows of this query's columns read some other way (in
        another statement's columns: kernel.beside), `description` naming them as a cursor
        running this query alone would."""
        db = self._database()
        return self._read(Rows(rows, description), self._for_database(db)[0], type(db))

    def _read(self, cursor, query, kind):
        reader = self._readers.get(kind)
        if isinstance(reader, Reader):
            return list(map(reader.read, cursor.fetchall()))
        wrapper = query._get_cursor_wrapper(cursor)
        # Peewee works out, for every cursor, which column goes to which model and through
        # which converter: the same answer each time for the same SQL, so it is kept from the
        # first cursor that had a row (what initialize() added) and used for the next ones:
        # by our own Reader (row_objects.py) where the query's shape allows, else by peewee's.
        fresh = set(wrapper.__dict__)
        if reader is not None:
            wrapper.__dict__.update(reader)
            wrapper.initialized = True
        rows = list(wrapper)
        if reader is None and wrapper.initialized:
            self._readers[kind] = Reader.of(wrapper) or {
                k: v for k, v in wrapper.__dict__.items() if k not in fresh}
        return rows

    def first(self, *args):
        rows = self.rows(*args)
        return rows[0] if rows else None


# INSERTs whose text is built once per kind of database, model, number of rows and columns.
# Building an INSERT through peewee costs more than SQLite spends running it (every value goes
# through the query builder): the cancel POST writes five rows this way (audit event, invoice
# lines, webhook deliveries, notices, emails). On PostgreSQL each is also prepared once per
# connection (prepare): parsing, analysing and planning an INSERT cost the server more than
# running it.
_INSERTS = {}
_INSERT_NAMES = itertools.count(1)


def insert_rows(model, rows):
    """model.insert_many(rows).execute() with the SQL text kept: one statement in peewee's log,
    as before. Fields a row leaves out get their defaults, as peewee gives them. Returns the id
    of the last row inserted (of the only one, for one row). Rows must have the same keys."""
    rows = _with_defaults(model, rows)
    db = database_of(model)
    names = tuple(rows[0])
    key = (type(db), model, len(rows), names)
    kept = _INSERTS.get(key)
    if kept is None:
        query = model.insert_many(rows)
        fallback = model.insert(rows[0]) if len(rows) == 1 else query
        if db.returning_clause:  # as peewee's execute() asks for the new keys
            query = query.returning(model._meta.primary_key)
        sql, params = query.sql()
        fields = [f for f in model._meta.sorted_fields if f.name in names]
        if len(fields) != len(names) or peewee_params(rows, fields) != params:
            return fallback.execute()  # not the shape expected: peewee's own way
        kept = _INSERTS[key] = (sql, insert_columns(fields), kept_insert(sql, len(params), db))
    sql, columns, prepared = kept
    cursor = execute(db, sql, insert_params(rows, columns), prepared)
    if db.returning_clause:
        new = cursor.fetchall()
        return new[-1][0] if new else None
    return cursor.lastrowid


def kept_insert(sql, holes, db):
    """What execute() takes to run a kept INSERT's text (`holes` values) prepared: (name,
    PREPARE text, EXECUTE text) on PostgreSQL, None elsewhere. Called once per kept text."""
    name = f"rebook_insert_{next(_INSERT_NAMES)}"
    prepared = prepared_form(name, sql, holes, db)
    return prepared and (name, *prepared)


def insert_row(model, **row):
    """model.create(**row) with the INSERT's text kept: the object as create() returns it."""
    [row] = _with_defaults(model, [row])
    fields = model._meta.fields
    if any(isinstance(value, Model) or name not in fields for name, value in row.items()):
        obj = model(**row)  # a related row given as an object (kept too), or `x_id=`
    else:  # what model(**row) holds, without a setter per field (its defaults are in row)
        obj = instance(model, row)
    obj._pk = insert_rows(model, [row])  # peewee's create() sets the new key the same way
    obj._dirty.clear()
    return obj


def _with_defaults(model, rows):
    """Each row with the fields it leaves out set to their defaults, as peewee gives them (one
    loop for all the rows: a comprehension is a Python call of its own)."""
    defaults = model._meta.defaults.items()
    filled = []
    for row in rows:
        missing = {}
        for field, default in defaults:
            if field.name not in row:
                missing[field.name] = default() if callable(default) else default
        filled.append({**row, **missing} if missing else row)
    return filled


def database_of(model):
    db = model._meta.database
    return db.obj if isinstance(db, DatabaseProxy) else db


def peewee_params(rows, fields):
    """The INSERT's values as peewee hands them to the driver (checked once per kept text)."""
    return [field.db_value(row[field.name]) for row in rows for field in fields]


def insert_columns(fields):
    """(name, the types it takes as given, its db_value) of each field, for insert_params."""
    return [(f.name, _as_given(f), f.db_value) for f in fields]


def insert_params(rows, columns):
    """peewee_params(rows, fields), with the values db_value would hand back unchanged passed
    as given (two or three Python calls a value saved: an email row has 15)."""
    return [value if type(value) in given else db_value(value)
            for row in rows for name, given, db_value in columns for value in (row[name],)]


# The types of value each kind of field hands to the driver unchanged (Field.db_value: None as
# it is, else adapt(), which returns a str to a text field, an int to an integer field and a
# datetime to a datetime field as they are; a foreign key hands an id to its key field's).
# Anything else, or a field with its own conversion, goes through db_value (the reading side,
# row_objects.py, keeps a column as the driver gave it by the same reasoning);
# tests/web/test_kept_outbox_params.py and tests/domain/test_kept_params_keys.py compare them.
_UNCHANGED = {peewee._StringField.adapt: (str, type(None)),
              peewee.IntegerField.adapt: (int, type(None)),
              peewee.DateTimeField.adapt: (datetime, type(None))}


def _as_given(field):
    kind = type(field)
    if isinstance(field, peewee.ForeignKeyField) and (
            kind.db_value is peewee.ForeignKeyField.db_value):
        # a row object gives its id first; an id goes to the key field's db_value as it is
        return _as_given(field.rel_field)
    if kind.db_value is not peewee.Field.db_value:
        return frozenset()
    return frozenset(_UNCHANGED.get(kind.adapt, ()))
