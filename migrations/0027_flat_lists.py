"""Pages that cost the same at any size.

customer_booking_count holds how many bookings each customer has, for Admin › Customers, which
used to count each listed customer's bookings over the whole table. Triggers keep it in the
same transaction as every booking insert, delete or change of customer, so no code path (the
services, the API, a bulk insert) can forget to. The backfill counts what is there before the
triggers exist.

report_day's index becomes a covering one (every column the report reads), so the report adds
its rows up from the index alone instead of looking each row up in the table: on a two-year
period that was most of the report's time.
"""
from peewee import *
from playhouse.migrate import make_index_name

COUNT = "customer_booking_count"
SQLITE_TRIGGERS = {
    "booking_count_insert": (
        "CREATE TRIGGER booking_count_insert AFTER INSERT ON booking BEGIN "
        f"INSERT OR IGNORE INTO {COUNT} (customer_id, bookings) VALUES (NEW.customer_id, 0); "
        f"UPDATE {COUNT} SET bookings = bookings + 1 WHERE customer_id = NEW.customer_id; END"),
    "booking_count_delete": (
        "CREATE TRIGGER booking_count_delete AFTER DELETE ON booking BEGIN "
        f"UPDATE {COUNT} SET bookings = bookings - 1 WHERE customer_id = OLD.customer_id; END"),
    "booking_count_move": (
        "CREATE TRIGGER booking_count_move AFTER UPDATE OF customer_id ON booking "
        "WHEN OLD.customer_id IS NOT NEW.customer_id BEGIN "
        f"UPDATE {COUNT} SET bookings = bookings - 1 WHERE customer_id = OLD.customer_id; "
        f"INSERT OR IGNORE INTO {COUNT} (customer_id, bookings) VALUES (NEW.customer_id, 0); "
        f"UPDATE {COUNT} SET bookings = bookings + 1 WHERE customer_id = NEW.customer_id; END"),
}
POSTGRES = [
    "CREATE OR REPLACE FUNCTION booking_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP <> 'INSERT' THEN UPDATE {COUNT} SET bookings = bookings - 1 "
    "WHERE customer_id = OLD.customer_id; END IF; "
    f"IF TG_OP <> 'DELETE' THEN INSERT INTO {COUNT} AS c (customer_id, bookings) "
    "VALUES (NEW.customer_id, 1) ON CONFLICT (customer_id) "
    "DO UPDATE SET bookings = c.bookings + 1; END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER booking_count AFTER INSERT OR DELETE ON booking "
    "FOR EACH ROW EXECUTE FUNCTION booking_count()",
    "CREATE TRIGGER booking_count_move AFTER UPDATE OF customer_id ON booking FOR EACH ROW "
    "WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id) EXECUTE FUNCTION booking_count()",
]
OLD_REPORT_INDEX = ("staff_id", "day", "service_id")
# The report's columns, the ones every query reads first.
REPORT_INDEX = ("staff_id", "day", "service_id", "status", "bookings", "price", "rescheduled",
                "moves", "notice_hours", "cancel_channel", "cancelled_by_kind",
                "cancel_reason_id", "cancel_reason_label")


def up(migrator, db):
    class CustomerBookingCount(Model):
        customer_id = IntegerField(primary_key=True)
        bookings = IntegerField()

        class Meta:
            database = db
            table_name = COUNT

    db.create_tables([CustomerBookingCount])
    with db.atomic():
        db.execute_sql(f"INSERT INTO {COUNT} (customer_id, bookings) "
                       "SELECT customer_id, COUNT(*) FROM booking GROUP BY customer_id")
        if isinstance(db, PostgresqlDatabase):
            for sql in POSTGRES:
                db.execute_sql(sql)
        else:
            for sql in SQLITE_TRIGGERS.values():
                db.execute_sql(sql)
    migrator.migrate(migrator.drop_index("report_day", "reportday_staff_id_day_service_id"),
                     migrator.add_index("report_day", REPORT_INDEX, False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("report_day", make_index_name("report_day", REPORT_INDEX)),
                     migrator.add_index("report_day", OLD_REPORT_INDEX, False,
                                        name="reportday_staff_id_day_service_id"))
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS booking_count ON booking")
        db.execute_sql("DROP TRIGGER IF EXISTS booking_count_move ON booking")
        db.execute_sql("DROP FUNCTION IF EXISTS booking_count()")
    else:
        for name in SQLITE_TRIGGERS:
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
    db.execute_sql(f"DROP TABLE {COUNT}")
