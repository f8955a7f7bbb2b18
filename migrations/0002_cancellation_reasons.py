"""Cancellation reasons, and the reason (with its label at the time) on cancelled bookings."""
from peewee import *


def up(migrator, db):
    class CancellationReason(Model):
        label = CharField(max_length=80, unique=True)
        position = IntegerField(default=0)
        active = BooleanField(default=True)
        is_other = BooleanField(default=False)

        class Meta:
            database = db
            table_name = "cancellation_reason"

    db.create_tables([CancellationReason])
    migrator.migrate(
        migrator.add_column("booking", "cancel_reason_id",
                            ForeignKeyField(CancellationReason, null=True,
                                            field=CancellationReason.id)),
        migrator.add_column("booking", "cancel_reason_label", CharField(max_length=80, null=True)),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column("booking", "cancel_reason_label"),
                     migrator.drop_column("booking", "cancel_reason_id"))
    migrator.migrate(migrator.drop_table("cancellation_reason"))
