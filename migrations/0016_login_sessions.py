"""Server-side login sessions: one row per logged-in browser, keyed by a hash of its secret,
so logging out ends the session wherever the cookie was copied."""
from peewee import *


def up(migrator, db):
    class Customer(Model):
        class Meta:
            database = db
            table_name = "customer"

    class Staff(Model):
        class Meta:
            database = db
            table_name = "staff"

    class LoginSession(Model):
        token_hash = CharField(max_length=64, unique=True)
        customer = ForeignKeyField(Customer, null=True, on_delete="CASCADE")
        staff = ForeignKeyField(Staff, null=True, on_delete="CASCADE")
        epoch = IntegerField()
        created_at = DateTimeField()
        last_seen_at = DateTimeField()
        user_agent = CharField(max_length=200, default="")

        class Meta:
            database = db
            table_name = "login_session"

    db.create_tables([LoginSession])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("login_session"))
