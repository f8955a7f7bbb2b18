"""Emptying the test database between tests (the schema stays); models fitted to a database
migrated part of the way."""
from contextlib import contextmanager

from peewee import AutoField

from portal.audit import SQLITE_TRIGGERS
from portal.kernel.compiled import forget_all
from portal.kernel.db import database, is_postgres
from portal.models import ALL_MODELS


def empty_tables():
    """Every table emptied and ids starting again from 1, on either database; the caller has
    the connection open."""
    tables = [m._meta.table_name for m in reversed(ALL_MODELS)]
    if is_postgres():
        # DELETE, not TRUNCATE: on tables this small it takes about 8 ms against TRUNCATE's
        # 45 ms (190 ms with fsync on), which made the PostgreSQL run half again as long as
        # SQLite's. Row triggers (the audit log's append-only guard, the report and count
        # triggers) stay quiet for this transaction only, as they did for TRUNCATE; the test
        # server's user may do that. One round trip.
        restarts = ", ".join(
            f"setval(pg_get_serial_sequence('\"{m._meta.table_name}\"', "
            f"'{m._meta.primary_key.column_name}'), 1, false)"
            for m in ALL_MODELS if isinstance(m._meta.primary_key, AutoField))
        with database.atomic():
            database.execute_sql("; ".join(
                ["SET LOCAL session_replication_role = replica"]
                + [f'DELETE FROM "{t}"' for t in tables]
                + [f"SELECT {restarts}"]))
        return
    with database.atomic():
        # Audit events are append-only (migration 0009): lift the triggers that refuse
        # DELETE while the tables are emptied; they are back before the transaction ends.
        triggers = [name for (name,) in database.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN (%s)"
            % ", ".join("?" * len(SQLITE_TRIGGERS)), list(SQLITE_TRIGGERS))]
        for name in triggers:
            database.execute_sql(f'DROP TRIGGER "{name}"')
        for table in tables:
            database.execute_sql(f'DELETE FROM "{table}"')
        for name in triggers:
            database.execute_sql(SQLITE_TRIGGERS[name])


@contextmanager
def models_as_of(db, models=ALL_MODELS):
    """The models without the fields their tables don't have yet in `db` (a database migrated
    only part of the way), so a migration test can build its "before" data through the models
    however many columns later migrations added. The fields are back when the block ends."""
    hidden = []
    forget_all()  # queries built once are built again from the fields shown
    for model in models:
        table = model._meta.table_name
        if not db.table_exists(table):
            continue
        columns = {column.name for column in db.get_columns(table)}
        for name, field in list(model._meta.fields.items()):
            if field.column_name not in columns:
                model._meta.remove_field(name)
                hidden.append((model, name, field))
    try:
        yield
    finally:
        for model, name, field in reversed(hidden):
            model._meta.add_field(name, field)
        forget_all()
