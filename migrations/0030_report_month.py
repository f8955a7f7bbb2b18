"""report_month: the cancellations report's report_day added up per calendar month
(portal/reports/models.py). A two-year period summed about 20,000 day rows (44,000 for the
per-fieldworker figures) in each of its timeline, services and fieldworkers reads; it now sums
its whole months here and only the days at its edges in report_day. The summary keeps it in
the same transaction as the days it counts (portal/reports/summary.py). Emptying report_state
makes the next report count everything once, months included.
"""
from peewee import *

# Every column the report reads, as report_day's: a period is added up from the index alone.
MONTH_INDEX = ("staff_id", "month", "service_id", "status", "cancel_channel",
               "cancelled_by_kind", "bookings", "rescheduled", "moves", "price", "notice_24",
               "notice_48", "notice_168", "notice_over")


def up(migrator, db):
    class ReportMonth(Model):
        month = DateField()
        staff_id = IntegerField()
        service_id = IntegerField()
        status = CharField(max_length=20)
        cancel_channel = CharField(max_length=20, null=True)
        cancelled_by_kind = CharField(max_length=20, null=True)
        bookings = IntegerField()
        rescheduled = IntegerField()
        moves = IntegerField()
        price = IntegerField()
        notice_24 = IntegerField()
        notice_48 = IntegerField()
        notice_168 = IntegerField()
        notice_over = IntegerField()

        class Meta:
            database = db
            table_name = "report_month"
            indexes = ((MONTH_INDEX, False),)

    db.create_tables([ReportMonth])
    db.execute_sql("DELETE FROM report_state")  # the next report counts everything


def down(migrator, db):
    migrator.migrate(migrator.drop_table("report_month"))
