"""The waitlist: entries (a customer waiting for a service in a date range and times of day)
and the offers made when a matching time is released; the business's offer setting (everyone
at once, or a few at a time with a claim window)."""
from peewee import *


def up(migrator, db):
    class Customer(Model):
        class Meta:
            database = db
            table_name = "customer"

    class Service(Model):
        class Meta:
            database = db
            table_name = "service"

    class Staff(Model):
        class Meta:
            database = db
            table_name = "staff"

    class Booking(Model):
        class Meta:
            database = db
            table_name = "booking"

    class WaitlistEntry(Model):
        customer = ForeignKeyField(Customer, on_delete="CASCADE")
        service = ForeignKeyField(Service, on_delete="CASCADE")
        first_day = DateField()
        last_day = DateField()
        times = CharField(max_length=10, default="any")
        start_minute = IntegerField()
        end_minute = IntegerField()
        joined_at = DateTimeField()
        expires_at = DateTimeField()
        state = CharField(max_length=10, default="waiting")

        class Meta:
            database = db
            table_name = "waitlist_entry"
            indexes = ((("state", "last_day"), False),
                       (("customer", "state"), False))

    class WaitlistOffer(Model):
        entry = ForeignKeyField(WaitlistEntry, on_delete="CASCADE")
        starts_at = DateTimeField()
        ends_at = DateTimeField()
        staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
        released_from = ForeignKeyField(Booking, null=True, on_delete="SET NULL")
        booking = ForeignKeyField(Booking, null=True, on_delete="SET NULL")
        state = CharField(max_length=10, default="open")
        nonce = CharField(max_length=32, unique=True)
        created_at = DateTimeField()
        expires_at = DateTimeField()
        decided_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "waitlist_offer"
            indexes = ((("state", "expires_at"), False), (("starts_at", "state"), False))

    db.create_tables([WaitlistEntry, WaitlistOffer])
    migrator.migrate(
        migrator.add_column("settings", "waitlist_batch", IntegerField(default=0)),
        migrator.add_column("settings", "waitlist_claim_minutes", IntegerField(default=120)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("settings", "waitlist_claim_minutes"),
                     migrator.drop_column("settings", "waitlist_batch"),
                     migrator.drop_table("waitlist_offer"), migrator.drop_table("waitlist_entry"))
