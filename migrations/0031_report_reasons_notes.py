"""Two reads of the cancellations report that grew with its period.

report_reason_month: report_day's cancellations per calendar month and per reason and channel
(portal/reports/models.py). The reasons and channels added up every cancellation row of the
period in report_day (two years: 15,000 rows); they now add up its whole months here and only
its edge days in report_day. Kept in the same transaction as report_month
(portal/reports/summary.py). Emptying report_state makes the next report count everything
once, these months included.

booking_noted_cancellations: the bookings with a cancellation note, partial, holding every
column the report's "Other" notes filter and order by: the period's newest notes are picked
from it before a booking row is read. Before, the period's cancellations were read row by row
(or, in one plan PostgreSQL chose, every booking by its reason).
"""
from peewee import *

REASON_MONTH_INDEX = ("staff_id", "month", "service_id", "cancel_channel", "cancelled_by_kind",
                      "cancel_reason_id", "cancel_reason_label", "bookings")
NOTED_INDEX = ("CREATE INDEX booking_noted_cancellations ON booking (status, starts_at, "
               "cancel_reason_id, cancelled_at, service_id, cancel_channel, cancelled_by_kind, "
               "id) WHERE (cancel_note > '')")


def up(migrator, db):
    class ReportReasonMonth(Model):
        month = DateField()
        staff_id = IntegerField()
        service_id = IntegerField()
        cancel_channel = CharField(max_length=20, null=True)
        cancelled_by_kind = CharField(max_length=20, null=True)
        cancel_reason_id = IntegerField(null=True)
        cancel_reason_label = CharField(max_length=80, null=True)
        bookings = IntegerField()

        class Meta:
            database = db
            table_name = "report_reason_month"
            indexes = ((REASON_MONTH_INDEX, False),)

    db.create_tables([ReportReasonMonth])
    db.execute_sql(NOTED_INDEX)
    db.execute_sql("DELETE FROM report_state")  # the next report counts everything


def down(migrator, db):
    db.execute_sql("DROP INDEX booking_noted_cancellations")
    migrator.migrate(migrator.drop_table("report_reason_month"))
