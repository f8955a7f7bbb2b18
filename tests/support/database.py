"""Emptying the test database between tests (the schema stays)."""
from portal.audit import SQLITE_TRIGGERS
from portal.kernel.db import database, is_postgres
from portal.models import ALL_MODELS


def empty_tables():
    """Every table emptied, on either database; the caller has the connection open."""
    tables = [m._meta.table_name for m in reversed(ALL_MODELS)]
    if is_postgres():
        database.execute_sql("TRUNCATE %s RESTART IDENTITY CASCADE" % ", ".join(
            f'"{t}"' for t in tables))
    else:
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
