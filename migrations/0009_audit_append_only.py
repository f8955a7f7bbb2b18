"""Audit events are append-only: the database refuses UPDATE and DELETE on audit_event.
Three indexes serve the activity log's action and actor filters, newest first.

The SQL is a frozen copy of portal/audit/__init__.py's (migrations never import portal);
tests/web/test_activity_log.py checks that the two agree.
"""
from peewee import PostgresqlDatabase

SQLITE_TRIGGERS = {
    "audit_event_no_update": (
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"),
    "audit_event_no_delete": (
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"),
}
POSTGRES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'restrict_violation'; "
    "END $$")
POSTGRES_TRIGGER = (
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()")


def up(migrator, db):
    migrator.migrate(
        migrator.add_index("audit_event", ("action", "created_at"), False),
        migrator.add_index("audit_event", ("actor_kind", "created_at"), False),
        migrator.add_index("audit_event", ("actor_id", "actor_kind", "created_at"), False),
    )
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(POSTGRES_FUNCTION)
        db.execute_sql(POSTGRES_TRIGGER)
    else:
        for sql in SQLITE_TRIGGERS.values():
            db.execute_sql(sql)


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        db.execute_sql("DROP FUNCTION IF EXISTS audit_event_append_only()")
    else:
        for name in SQLITE_TRIGGERS:
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
    migrator.migrate(
        migrator.drop_index("audit_event", "audit_event_action_created_at"),
        migrator.drop_index("audit_event", "audit_event_actor_kind_created_at"),
        migrator.drop_index("audit_event", "audit_event_actor_id_actor_kind_created_at"),
    )
