"""Two pages that cost the same at any size.

report_money: the cancellations report's fees and refunds, summed per business day like
report_day (portal/reports/models.py). The report used to add them up from every cancelled
booking in the period, through its invoice. Triggers on invoice lines, refunds and invoices
mark the booking's start time in report_dirty in the same transaction as any change that moves
a fee or a refund (a fee charged later, a refund approved, an invoice moved or removed), and
the next report recounts that day, as it does for the bookings themselves. Emptying
report_state makes the next report count everything once (money included), as after a
timezone change, instead of a frozen copy of the counting here.

customer_lower_name_id: Admin › Customers lists customers by lower-case name (then id); with
the expression indexed, a page is read in order from the index instead of sorting every
customer.
"""
from peewee import *

FEES = "('cancellation_fee', 'no_show_fee')"
_DIRTY = "INSERT INTO report_dirty (starts_at) SELECT b.starts_at FROM invoice i " \
         "JOIN booking b ON b.id = i.booking_id WHERE i.id"
_BOOKING = "INSERT INTO report_dirty (starts_at) SELECT starts_at FROM booking WHERE id"
LINE_CHANGED = "OLD.kind {0} NEW.kind OR OLD.amount {0} NEW.amount OR OLD.invoice_id {0} " \
               "NEW.invoice_id"
REFUND_CHANGED = "OLD.status {0} NEW.status OR OLD.amount {0} NEW.amount " \
                 "OR OLD.invoice_id {0} NEW.invoice_id"
SQLITE_TRIGGERS = {
    "invoice_line_report_insert": (
        "CREATE TRIGGER invoice_line_report_insert AFTER INSERT ON invoice_line "
        f"WHEN NEW.kind IN {FEES} BEGIN {_DIRTY} = NEW.invoice_id; END"),
    "invoice_line_report_update": (
        "CREATE TRIGGER invoice_line_report_update AFTER UPDATE ON invoice_line "
        f"WHEN (OLD.kind IN {FEES} OR NEW.kind IN {FEES}) AND ({LINE_CHANGED.format('IS NOT')}) "
        f"BEGIN {_DIRTY} IN (OLD.invoice_id, NEW.invoice_id); END"),
    "invoice_line_report_delete": (
        "CREATE TRIGGER invoice_line_report_delete AFTER DELETE ON invoice_line "
        f"WHEN OLD.kind IN {FEES} BEGIN {_DIRTY} = OLD.invoice_id; END"),
    "refund_report_insert": (
        "CREATE TRIGGER refund_report_insert AFTER INSERT ON refund "
        f"BEGIN {_DIRTY} = NEW.invoice_id; END"),
    "refund_report_update": (
        "CREATE TRIGGER refund_report_update AFTER UPDATE ON refund "
        f"WHEN {REFUND_CHANGED.format('IS NOT')} "
        f"BEGIN {_DIRTY} IN (OLD.invoice_id, NEW.invoice_id); END"),
    "refund_report_delete": (
        "CREATE TRIGGER refund_report_delete AFTER DELETE ON refund "
        f"BEGIN {_DIRTY} = OLD.invoice_id; END"),
    # An invoice's lines and refunds go with it (ON DELETE CASCADE); by then their own
    # triggers can't find the booking, so the invoice marks it.
    "invoice_report_update": (
        "CREATE TRIGGER invoice_report_update AFTER UPDATE ON invoice "
        "WHEN OLD.booking_id IS NOT NEW.booking_id "
        f"BEGIN {_BOOKING} IN (OLD.booking_id, NEW.booking_id); END"),
    "invoice_report_delete": (
        "CREATE TRIGGER invoice_report_delete AFTER DELETE ON invoice "
        f"BEGIN {_BOOKING} = OLD.booking_id; END"),
}
POSTGRES_FUNCTIONS = [
    "CREATE OR REPLACE FUNCTION report_money_dirty() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    f"IF TG_OP <> 'INSERT' THEN {_DIRTY} = OLD.invoice_id; END IF; "
    f"IF TG_OP <> 'DELETE' THEN {_DIRTY} = NEW.invoice_id "
    "AND (TG_OP = 'INSERT' OR NEW.invoice_id IS DISTINCT FROM OLD.invoice_id); END IF; "
    "RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION invoice_report_dirty() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN {_BOOKING} = OLD.booking_id; "
    f"IF TG_OP = 'UPDATE' THEN {_BOOKING} = NEW.booking_id; END IF; "
    "RETURN NULL; END $$",
]
POSTGRES_TRIGGERS = {
    ("invoice_line_report_insert", "invoice_line"):
        f"AFTER INSERT ON invoice_line FOR EACH ROW WHEN (NEW.kind IN {FEES}) "
        "EXECUTE FUNCTION report_money_dirty()",
    ("invoice_line_report_update", "invoice_line"):
        "AFTER UPDATE ON invoice_line FOR EACH ROW "
        f"WHEN ((OLD.kind IN {FEES} OR NEW.kind IN {FEES}) "
        f"AND ({LINE_CHANGED.format('IS DISTINCT FROM')})) EXECUTE FUNCTION report_money_dirty()",
    ("invoice_line_report_delete", "invoice_line"):
        f"AFTER DELETE ON invoice_line FOR EACH ROW WHEN (OLD.kind IN {FEES}) "
        "EXECUTE FUNCTION report_money_dirty()",
    ("refund_report", "refund"):
        "AFTER INSERT OR DELETE ON refund FOR EACH ROW EXECUTE FUNCTION report_money_dirty()",
    ("refund_report_update", "refund"):
        f"AFTER UPDATE ON refund FOR EACH ROW WHEN ({REFUND_CHANGED.format('IS DISTINCT FROM')}) "
        "EXECUTE FUNCTION report_money_dirty()",
    ("invoice_report_update", "invoice"):
        "AFTER UPDATE ON invoice FOR EACH ROW "
        "WHEN (OLD.booking_id IS DISTINCT FROM NEW.booking_id) "
        "EXECUTE FUNCTION invoice_report_dirty()",
    ("invoice_report_delete", "invoice"):
        "AFTER DELETE ON invoice FOR EACH ROW EXECUTE FUNCTION invoice_report_dirty()",
}
NAME_INDEX = "customer_lower_name_id"
# Every column the report reads: a period's money is added up from the index alone.
MONEY_INDEX = ("staff_id", "day", "kind", "status", "refund_status", "cancel_channel",
               "cancelled_by_kind", "service_id", "items", "amount")


def up(migrator, db):
    class ReportMoney(Model):
        day = DateField()
        staff_id = IntegerField()
        service_id = IntegerField()
        status = CharField(max_length=20)
        cancel_channel = CharField(max_length=20, null=True)
        cancelled_by_kind = CharField(max_length=20, null=True)
        kind = CharField(max_length=30)
        refund_status = CharField(max_length=20, null=True)
        items = IntegerField()
        amount = IntegerField()

        class Meta:
            database = db
            table_name = "report_money"
            indexes = ((MONEY_INDEX, False),)

    db.create_tables([ReportMoney])
    with db.atomic():
        if isinstance(db, PostgresqlDatabase):
            for sql in POSTGRES_FUNCTIONS:
                db.execute_sql(sql)
            for (name, table), sql in POSTGRES_TRIGGERS.items():
                db.execute_sql(f"CREATE TRIGGER {name} {sql}")
        else:
            for sql in SQLITE_TRIGGERS.values():
                db.execute_sql(sql)
        db.execute_sql("DELETE FROM report_state")  # the next report counts everything
    db.execute_sql(f'CREATE INDEX "{NAME_INDEX}" ON "customer" (LOWER("name"), "id")')


def down(migrator, db):
    db.execute_sql(f'DROP INDEX IF EXISTS "{NAME_INDEX}"')
    if isinstance(db, PostgresqlDatabase):
        for name, table in POSTGRES_TRIGGERS:
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        db.execute_sql("DROP FUNCTION IF EXISTS report_money_dirty()")
        db.execute_sql("DROP FUNCTION IF EXISTS invoice_report_dirty()")
    else:
        for name in SQLITE_TRIGGERS:
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
    migrator.migrate(migrator.drop_table("report_money"))
