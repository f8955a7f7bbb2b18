"""Account links (invitation, password reset): one row each, so a link works only once."""
from peewee import *


def up(migrator, db):
    class Customer(Model):
        class Meta:
            database = db
            table_name = "customer"

    class AccountToken(Model):
        customer = ForeignKeyField(Customer, on_delete="CASCADE")
        purpose = CharField(max_length=10)
        token_hash = CharField(max_length=64, unique=True)
        expires_at = DateTimeField()
        used_at = DateTimeField(null=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "account_token"
            indexes = ((("customer", "purpose"), False),)

    db.create_tables([AccountToken])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("account_token"))
