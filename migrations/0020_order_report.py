"""Orders in the cancellations report, and notices that name their order.

order.cancel_stage keeps the status an order was
cancelled from (placed, processing); report_order_day counts cancelled orders per business day
of their cancellation and per reason, channel, initiator and stage, with the totals they lost;
report_order_dirty lists cancellation times whose days need counting again. Triggers write it
in the same transaction as any change to an order the report reads, as migration 0017's do
for bookings. notification.order_id lets an order's notice link to the order's page.

The backfill fills cancel_stage from each cancellation's audit event (its "before" status) and
counts every cancelled order; the SQL and counting are a frozen copy of
portal/reports/summary.py's (migrations never import portal).
"""
import json
from collections import defaultdict
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from peewee import *

COLUMNS = ("status", "total", "cancelled_at", "cancel_channel", "cancelled_by_kind",
           "cancel_reason_id", "cancel_reason_label", "cancel_stage")
_CHANGED_SQLITE = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COLUMNS)
_CHANGED_PG = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in COLUMNS)
_DIRTY = "INSERT INTO report_order_dirty (cancelled_at)"

SQLITE_TRIGGERS = {
    "order_report_insert": (
        'CREATE TRIGGER order_report_insert AFTER INSERT ON "order" '
        f"WHEN NEW.cancelled_at IS NOT NULL BEGIN {_DIRTY} VALUES (NEW.cancelled_at); END"),
    "order_report_update": (
        f'CREATE TRIGGER order_report_update AFTER UPDATE ON "order" WHEN {_CHANGED_SQLITE} '
        f"BEGIN {_DIRTY} SELECT OLD.cancelled_at WHERE OLD.cancelled_at IS NOT NULL; "
        f"{_DIRTY} SELECT NEW.cancelled_at WHERE NEW.cancelled_at IS NOT NULL "
        "AND NEW.cancelled_at IS NOT OLD.cancelled_at; END"),
    "order_report_delete": (
        'CREATE TRIGGER order_report_delete AFTER DELETE ON "order" '
        f"WHEN OLD.cancelled_at IS NOT NULL BEGIN {_DIRTY} VALUES (OLD.cancelled_at); END"),
}
POSTGRES = [
    "CREATE OR REPLACE FUNCTION order_report_dirty() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    f"IF TG_OP <> 'INSERT' AND OLD.cancelled_at IS NOT NULL THEN {_DIRTY} "
    "VALUES (OLD.cancelled_at); END IF; "
    "IF TG_OP <> 'DELETE' AND NEW.cancelled_at IS NOT NULL AND (TG_OP = 'INSERT' "
    f"OR NEW.cancelled_at IS DISTINCT FROM OLD.cancelled_at) THEN {_DIRTY} "
    "VALUES (NEW.cancelled_at); END IF; "
    "RETURN NULL; END $$",
    'CREATE TRIGGER order_report_dirty AFTER INSERT OR DELETE ON "order" '
    "FOR EACH ROW EXECUTE FUNCTION order_report_dirty()",
    'CREATE TRIGGER order_report_dirty_update AFTER UPDATE ON "order" FOR EACH ROW '
    f"WHEN ({_CHANGED_PG}) EXECUTE FUNCTION order_report_dirty()",
]


def _moment(value):
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _backfill(db):
    mark = "%s" if isinstance(db, PostgresqlDatabase) else "?"
    for order_id, before in db.execute_sql(
            "SELECT subject_id, before FROM audit_event WHERE subject_type = 'order' "
            "AND action = 'cancelled'").fetchall():
        try:
            stage = json.loads(before or "{}").get("status")
        except ValueError:
            stage = None
        if stage:
            db.execute_sql(f'UPDATE "order" SET cancel_stage = {mark} WHERE id = {mark}',
                           [stage, order_id])
    row = db.execute_sql("SELECT timezone FROM report_state LIMIT 1").fetchone()
    if row is None:
        return  # the first report counts everything, orders included
    zone = ZoneInfo(row[0])
    totals = defaultdict(lambda: [0, 0])
    for (cancelled_at, channel, kind, reason_id, label, stage, total) in db.execute_sql(
            "SELECT cancelled_at, cancel_channel, cancelled_by_kind, cancel_reason_id, "
            'cancel_reason_label, cancel_stage, total FROM "order" '
            "WHERE status = 'cancelled' AND cancelled_at IS NOT NULL"):
        day = _moment(cancelled_at).replace(tzinfo=timezone.utc).astimezone(zone).date()
        figures = totals[(day, channel, kind, reason_id, label, stage)]
        figures[0] += 1
        figures[1] += total
    one = "(" + ", ".join([mark] * 8) + ")"
    rows = [(*key, *figures) for key, figures in totals.items()]
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        db.execute_sql("INSERT INTO report_order_day (day, cancel_channel, cancelled_by_kind, "
                       "cancel_reason_id, cancel_reason_label, cancel_stage, orders, total) "
                       "VALUES " + ", ".join([one] * len(chunk)),
                       [value.isoformat() if hasattr(value, "isoformat") else value
                        for row in chunk for value in row])


def up(migrator, db):
    class Order(Model):
        class Meta:
            database = db
            table_name = "order"

    migrator.migrate(
        migrator.add_column("order", "cancel_stage", CharField(max_length=20, null=True)),
        # An order's notices (an order cancelled) open the order's admin page.
        migrator.add_column("notification", "order_id",
                            ForeignKeyField(Order, null=True, on_delete="CASCADE",
                                            field=Order.id)))

    class ReportOrderDay(Model):
        day = DateField()
        cancel_channel = CharField(max_length=20, null=True)
        cancelled_by_kind = CharField(max_length=20, null=True)
        cancel_reason_id = IntegerField(null=True)
        cancel_reason_label = CharField(max_length=80, null=True)
        cancel_stage = CharField(max_length=20, null=True)
        orders = IntegerField()
        total = IntegerField()

        class Meta:
            database = db
            table_name = "report_order_day"
            indexes = ((("day",), False),)

    class ReportOrderDirty(Model):
        cancelled_at = DateTimeField()

        class Meta:
            database = db
            table_name = "report_order_dirty"

    db.create_tables([ReportOrderDay, ReportOrderDirty])
    with db.atomic():
        _backfill(db)  # before the triggers: no dirty rows for what is counted here
    if isinstance(db, PostgresqlDatabase):
        for sql in POSTGRES:
            db.execute_sql(sql)
    else:
        for sql in SQLITE_TRIGGERS.values():
            db.execute_sql(sql)


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql('DROP TRIGGER IF EXISTS order_report_dirty ON "order"')
        db.execute_sql('DROP TRIGGER IF EXISTS order_report_dirty_update ON "order"')
        db.execute_sql("DROP FUNCTION IF EXISTS order_report_dirty()")
    else:
        for name in SQLITE_TRIGGERS:
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
    migrator.migrate(migrator.drop_table("report_order_dirty"),
                     migrator.drop_table("report_order_day"),
                     migrator.drop_column("order", "cancel_stage"),
                     migrator.drop_column("notification", "order_id"))
