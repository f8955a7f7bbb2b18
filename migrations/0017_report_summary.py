"""The cancellations report's summary (portal/reports/models.py): report_day counts bookings
per business day and per what the report groups by; report_dirty lists start times whose days
need counting again. Triggers write report_dirty in the same transaction as every change to a
booking (insert, delete, or an update of a column the report reads) or to its workers, so no
code path can forget to. The backfill counts every booking in the business timezone (which
SQL cannot convert to on SQLite, so in Python); from then on the report recounts only the days
marked dirty.

The SQL and the counting are a frozen copy of portal/reports/summary.py's (migrations never
import portal); tests/slow/test_report_summary.py checks that a migrated summary matches.
"""
import math
from collections import defaultdict
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from peewee import *

NOTICE_CAP = 8760

COLUMNS = ("starts_at", "status", "service_id", "price", "reschedule_count", "cancelled_at",
           "cancel_channel", "cancelled_by_kind", "cancel_reason_id", "cancel_reason_label")
_CHANGED_SQLITE = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COLUMNS)
_CHANGED_PG = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in COLUMNS)
_DIRTY = "INSERT INTO report_dirty (starts_at)"

SQLITE_TRIGGERS = {
    "booking_report_insert": (
        "CREATE TRIGGER booking_report_insert AFTER INSERT ON booking "
        f"BEGIN {_DIRTY} VALUES (NEW.starts_at); END"),
    "booking_report_update": (
        f"CREATE TRIGGER booking_report_update AFTER UPDATE ON booking WHEN {_CHANGED_SQLITE} "
        f"BEGIN {_DIRTY} VALUES (OLD.starts_at); "
        f"{_DIRTY} SELECT NEW.starts_at WHERE NEW.starts_at IS NOT OLD.starts_at; END"),
    "booking_report_delete": (
        "CREATE TRIGGER booking_report_delete AFTER DELETE ON booking "
        f"BEGIN {_DIRTY} VALUES (OLD.starts_at); END"),
    "assignment_report_insert": (
        "CREATE TRIGGER assignment_report_insert AFTER INSERT ON assignment "
        f"BEGIN {_DIRTY} SELECT starts_at FROM booking WHERE id = NEW.booking_id; END"),
    "assignment_report_update": (
        "CREATE TRIGGER assignment_report_update AFTER UPDATE ON assignment "
        "WHEN OLD.staff_id IS NOT NEW.staff_id OR OLD.booking_id IS NOT NEW.booking_id "
        f"BEGIN {_DIRTY} SELECT starts_at FROM booking WHERE id IN (OLD.booking_id, "
        "NEW.booking_id); END"),
    "assignment_report_delete": (
        "CREATE TRIGGER assignment_report_delete AFTER DELETE ON assignment "
        f"BEGIN {_DIRTY} SELECT starts_at FROM booking WHERE id = OLD.booking_id; END"),
}
POSTGRES = [
    "CREATE OR REPLACE FUNCTION booking_report_dirty() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    f"IF TG_OP <> 'INSERT' THEN {_DIRTY} VALUES (OLD.starts_at); END IF; "
    "IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.starts_at IS DISTINCT FROM OLD.starts_at) "
    f"THEN {_DIRTY} VALUES (NEW.starts_at); END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER booking_report_dirty AFTER INSERT OR DELETE ON booking "
    "FOR EACH ROW EXECUTE FUNCTION booking_report_dirty()",
    f"CREATE TRIGGER booking_report_dirty_update AFTER UPDATE ON booking FOR EACH ROW "
    f"WHEN ({_CHANGED_PG}) EXECUTE FUNCTION booking_report_dirty()",
    "CREATE OR REPLACE FUNCTION assignment_report_dirty() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ BEGIN "
    f"IF TG_OP <> 'INSERT' THEN {_DIRTY} SELECT starts_at FROM booking "
    "WHERE id = OLD.booking_id; END IF; "
    f"IF TG_OP <> 'DELETE' THEN {_DIRTY} SELECT starts_at FROM booking "
    "WHERE id = NEW.booking_id; END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER assignment_report_dirty AFTER INSERT OR UPDATE OR DELETE ON assignment "
    "FOR EACH ROW EXECUTE FUNCTION assignment_report_dirty()",
]


def _moment(value):
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _backfill(db):
    row = db.execute_sql("SELECT timezone FROM settings ORDER BY id LIMIT 1").fetchone()
    if row is None:
        return  # no business yet: the first report counts (nothing)
    tz, zone = row[0], ZoneInfo(row[0])
    workers = defaultdict(list)
    for booking_id, staff_id in db.execute_sql("SELECT booking_id, staff_id FROM assignment"):
        workers[booking_id].append(staff_id)
    totals = defaultdict(lambda: [0, 0, 0, 0])
    for (booking_id, starts_at, service_id, status, channel, kind, reason_id, label,
         cancelled_at, moves, price) in db.execute_sql(
            "SELECT id, starts_at, service_id, status, cancel_channel, cancelled_by_kind, "
            "cancel_reason_id, cancel_reason_label, cancelled_at, reschedule_count, price "
            "FROM booking"):
        starts_at, cancelled_at = _moment(starts_at), _moment(cancelled_at)
        notice = None
        if cancelled_at is not None:
            notice = math.floor((starts_at - cancelled_at).total_seconds() / 3600)
            notice = max(-1, min(notice, NOTICE_CAP))
        day = starts_at.replace(tzinfo=timezone.utc).astimezone(zone).date()
        key = (day, service_id, status, channel, kind, reason_id, label, notice)
        for staff_id in [0, *workers.get(booking_id, ())]:
            figures = totals[(staff_id, *key)]
            figures[0] += 1
            figures[1] += moves > 0
            figures[2] += moves
            figures[3] += price
    rows = [(*key, *figures) for key, figures in totals.items()]
    columns = ("staff_id, day, service_id, status, cancel_channel, cancelled_by_kind, "
               "cancel_reason_id, cancel_reason_label, notice_hours, bookings, rescheduled, "
               "moves, price")
    mark = "%s" if isinstance(db, PostgresqlDatabase) else "?"
    one = "(" + ", ".join([mark] * 13) + ")"
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        db.execute_sql(f"INSERT INTO report_day ({columns}) VALUES "
                       + ", ".join([one] * len(chunk)),
                       [value.isoformat() if hasattr(value, "isoformat") else value
                        for row in chunk for value in row])
    db.execute_sql(f"INSERT INTO report_state (timezone) VALUES ({mark})", [tz])


def up(migrator, db):
    class ReportDay(Model):
        day = DateField()
        staff_id = IntegerField()
        service_id = IntegerField()
        status = CharField(max_length=20)
        cancel_channel = CharField(max_length=20, null=True)
        cancelled_by_kind = CharField(max_length=20, null=True)
        cancel_reason_id = IntegerField(null=True)
        cancel_reason_label = CharField(max_length=80, null=True)
        notice_hours = IntegerField(null=True)
        bookings = IntegerField()
        rescheduled = IntegerField()
        moves = IntegerField()
        price = IntegerField()

        class Meta:
            database = db
            table_name = "report_day"
            indexes = ((("staff_id", "day", "service_id"), False),)

    class ReportDirty(Model):
        starts_at = DateTimeField()

        class Meta:
            database = db
            table_name = "report_dirty"

    class ReportState(Model):
        timezone = CharField(max_length=64)

        class Meta:
            database = db
            table_name = "report_state"

    db.create_tables([ReportDay, ReportDirty, ReportState])
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
        db.execute_sql("DROP TRIGGER IF EXISTS booking_report_dirty ON booking")
        db.execute_sql("DROP TRIGGER IF EXISTS booking_report_dirty_update ON booking")
        db.execute_sql("DROP TRIGGER IF EXISTS assignment_report_dirty ON assignment")
        db.execute_sql("DROP FUNCTION IF EXISTS booking_report_dirty()")
        db.execute_sql("DROP FUNCTION IF EXISTS assignment_report_dirty()")
    else:
        for name in SQLITE_TRIGGERS:
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
    migrator.migrate(migrator.drop_table("report_state"), migrator.drop_table("report_dirty"),
                     migrator.drop_table("report_day"))
