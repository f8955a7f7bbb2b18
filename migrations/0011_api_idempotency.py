"""Idempotency keys for the API: one row per (integration, key) with the answer it got."""
from peewee import *


def up(migrator, db):
    class Integration(Model):
        class Meta:
            database = db
            table_name = "integration"

    class ApiIdempotencyKey(Model):
        integration = ForeignKeyField(Integration, on_delete="CASCADE")
        key = CharField(max_length=255)
        fingerprint = CharField(max_length=64)
        status = IntegerField(default=0)
        body = TextField(default="")
        created_at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = "api_idempotency_key"
            indexes = ((("integration", "key"), True),)

    db.create_tables([ApiIdempotencyKey])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("api_idempotency_key"))
