"""Recurring series: the rule a series of bookings was made from, each booking's series and
its place in it, and whether customers may book a series online."""
from peewee import *


def up(migrator, db):
    class BookingSeries(Model):
        kind = CharField(max_length=10)
        interval = IntegerField(default=1)
        until = DateField(null=True)
        count = IntegerField(null=True)
        first_starts_at = DateTimeField()
        timezone = CharField(max_length=64)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "booking_series"

    db.create_tables([BookingSeries])
    migrator.migrate(
        migrator.add_column("booking", "series_id",
                            ForeignKeyField(BookingSeries, null=True, on_delete="SET NULL",
                                            field=BookingSeries.id)),
        migrator.add_column("booking", "series_position", IntegerField(null=True)),
        migrator.add_column("settings", "customers_may_book_series",
                            BooleanField(default=False)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("settings", "customers_may_book_series"),
                     migrator.drop_column("booking", "series_position"),
                     migrator.drop_column("booking", "series_id"),
                     migrator.drop_table("booking_series"))
