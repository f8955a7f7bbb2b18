"""report_money_month: the cancellations report's report_money (fees and refunds per day)
added up per calendar month (portal/reports/models.py). A two-year period's fees and refunds
summed every money row of its days; they now sum its whole months here and only its edge
days in report_money, as the timeline (report_month) and the reasons (report_reason_month) do.
Kept in the same transaction as the other month tables (portal/reports/months.py). Emptying
report_state makes the next report count everything once, these months included.
"""
from peewee import *

# Every column the report reads, as report_money's: a period is added up from the index alone.
MONEY_MONTH_INDEX = ("staff_id", "month", "kind", "status", "refund_status", "cancel_channel",
                     "cancelled_by_kind", "service_id", "items", "amount")


def up(migrator, db):
    class ReportMoneyMonth(Model):
        month = DateField()
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
            table_name = "report_money_month"
            indexes = ((MONEY_MONTH_INDEX, False),)

    db.create_tables([ReportMoneyMonth])
    db.execute_sql("DELETE FROM report_state")  # the next report counts everything


def down(migrator, db):
    migrator.migrate(migrator.drop_table("report_money_month"))
