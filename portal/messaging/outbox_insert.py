"""The outbox's INSERT of the emails a change queues together (outbox.one_insert): its SQL text
built once by peewee per kind of database and number of rows, its values handed to the driver
as peewee would."""
from ..kernel.compiled import (database_of, execute, insert_columns, insert_params, kept_insert,
                               peewee_params)
from .models import OutboxMessage

# The INSERT's SQL text per kind of database and number of rows, built once by peewee: building
# it was a tenth of a cancel POST (16 values a row, each through peewee's query builder).
_INSERTS = {}
_DEFAULTS = {"kind": "email", "attempts": 0, "last_error": ""}  # what peewee would add


def insert_ignoring_queued(rows):
    """insert_many(rows).on_conflict_ignore().execute(), with the text kept: one statement in
    peewee's log, as before. Rows come from enqueue_email, so all have the same keys."""
    rows = [{**_DEFAULTS, **row} for row in rows]
    db = database_of(OutboxMessage)
    key = (type(db), len(rows), tuple(rows[0]))
    kept = _INSERTS.get(key)
    if kept is None:
        query = OutboxMessage.insert_many(rows).on_conflict_ignore()
        sql, params = query.sql()
        fields = [f for f in OutboxMessage._meta.sorted_fields if f.name in rows[0]]
        if peewee_params(rows, fields) != params:  # not the shape expected: let peewee do it
            query.execute()
            return
        # prepared once per connection on PostgreSQL, as the other kept INSERTs are
        kept = _INSERTS[key] = (sql, insert_columns(fields), kept_insert(sql, len(params), db))
    sql, columns, prepared = kept
    execute(db, sql, insert_params(rows, columns), prepared)  # db.execute_sql's steps

