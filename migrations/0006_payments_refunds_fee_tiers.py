"""Payments and refunds against invoices; late-cancellation fee tiers."""
from peewee import *


def up(migrator, db):
    class Invoice(Model):
        class Meta:
            database = db
            table_name = "invoice"

    class Payment(Model):
        invoice = ForeignKeyField(Invoice, on_delete="CASCADE")
        amount = IntegerField()
        method = CharField(max_length=20)
        reference = CharField(max_length=120, default="")
        recorded_by_kind = CharField(max_length=20)
        recorded_by_id = IntegerField(null=True)
        recorded_by_label = CharField(max_length=160, default="")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "payment"

    class Refund(Model):
        invoice = ForeignKeyField(Invoice, on_delete="CASCADE")
        amount = IntegerField()
        reason = CharField(max_length=255, default="")
        status = CharField(max_length=20, default="requested", index=True)
        requested_by_kind = CharField(max_length=20)
        requested_by_id = IntegerField(null=True)
        requested_by_label = CharField(max_length=160, default="")
        requested_at = DateTimeField()
        decided_by_id = IntegerField(null=True)
        decided_by_label = CharField(max_length=160, default="")
        decided_at = DateTimeField(null=True)
        decision_note = CharField(max_length=255, default="")
        processed_reference = CharField(max_length=120, default="")
        processed_at = DateTimeField(null=True)
        version = IntegerField(default=1)

        class Meta:
            database = db
            table_name = "refund"

    class FeeTier(Model):
        under_hours = IntegerField()
        kind = CharField(max_length=10)
        flat_amount = IntegerField(default=0)
        percent_bp = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "fee_tier"
            indexes = ((("under_hours",), True),)

    db.create_tables([Payment, Refund, FeeTier])


def down(migrator, db):
    for table in ("fee_tier", "refund", "payment"):
        migrator.migrate(migrator.drop_table(table))
