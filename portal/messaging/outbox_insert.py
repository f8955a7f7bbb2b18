"""The outbox's INSERT of the emails a change queues together (outbox.one_insert): its SQL text
built once by peewee per kind of database and number of rows, its values handed to the driver
as peewee would."""
from datetime import datetime

import peewee

from .models import OutboxMessage

# The INSERT's SQL text per kind of database and number of rows, built once by peewee: building
# it was a tenth of a cancel POST (16 values a row, each through peewee's query builder).
_INSERTS = {}
_DEFAULTS = {"kind": "email", "attempts": 0, "last_error": ""}  # what peewee would add


def insert_ignoring_queued(rows):
    """insert_many(rows).on_conflict_ignore().execute(), with the text kept: one statement in
    peewee's log, as before. Rows come from enqueue_email, so all have the same keys."""
    rows = [{**_DEFAULTS, **row} for row in rows]
    db = OutboxMessage._meta.database
    db = getattr(db, "obj", None) or db  # the proxy's database
    key = (type(db), len(rows), tuple(rows[0]))
    kept = _INSERTS.get(key)
    if kept is None:
        query = OutboxMessage.insert_many(rows).on_conflict_ignore()
        sql, params = query.sql()
        fields = [f for f in OutboxMessage._meta.sorted_fields if f.name in rows[0]]
        if _params(rows, fields) != params:  # not the shape expected: let peewee do it
            query.execute()
            return
        kept = _INSERTS[key] = (sql, columns_of(fields))
    sql, columns = kept
    db.execute_sql(sql, given_params(rows, columns))


def _params(rows, fields):
    return [field.db_value(row[field.name]) for row in rows for field in fields]


def columns_of(fields):
    """(name, the types it takes as given, its db_value) of each field, for given_params."""
    return [(f.name, _as_given(f), f.db_value) for f in fields]


def given_params(rows, columns):
    """_params(rows, fields), with the values db_value would hand back unchanged as given."""
    return [value if type(value) in given else db_value(value)
            for row in rows for name, given, db_value in columns for value in (row[name],)]


# The types of value each kind of field hands to the driver unchanged (Field.db_value: None as
# it is, else adapt(), which returns a str to a text field, an int to an integer field and a
# datetime to a datetime field as they are): such values skip the call (two or three Python
# calls a value, 15 values an email). Anything else, or a field with its own conversion, goes
# through db_value as before (the reading side, kernel/row_objects.py, keeps a column as the
# driver gave it by the same reasoning); tests/web/test_kept_outbox_params.py compares the two.
_UNCHANGED = {peewee._StringField.adapt: (str, type(None)),
              peewee.IntegerField.adapt: (int, type(None)),
              peewee.DateTimeField.adapt: (datetime, type(None))}


def _as_given(field):
    kind = type(field)
    if kind.db_value is not peewee.Field.db_value:
        return frozenset()
    return frozenset(_UNCHANGED.get(kind.adapt, ()))
