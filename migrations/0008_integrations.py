"""Integrations (outside systems), their API tokens, and a booking's link to one of them."""
from peewee import *


def up(migrator, db):
    class Integration(Model):
        name = CharField(max_length=80, unique=True)
        kind = CharField(max_length=20, default="pms")
        endpoint_url = CharField(max_length=500, default="")
        secret = CharField(max_length=128)
        events = TextField(default="")
        applies_cancellations = BooleanField(default=False)
        active = BooleanField(default=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "integration"

    class ApiToken(Model):
        integration = ForeignKeyField(Integration, on_delete="CASCADE")
        token_hash = CharField(max_length=64, unique=True)
        prefix = CharField(max_length=12)
        scopes = CharField(max_length=200, default="")
        created_at = DateTimeField()
        last_used_at = DateTimeField(null=True)
        revoked_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "api_token"

    db.create_tables([Integration, ApiToken])
    migrator.migrate(
        migrator.add_column("booking", "integration_id",
                            ForeignKeyField(Integration, null=True, on_delete="SET NULL",
                                            field=Integration.id)),
        migrator.add_column("booking", "external_ref", CharField(max_length=120, null=True)),
        migrator.add_index("booking", ("integration_id", "external_ref"), True),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_index("booking", "booking_integration_id_external_ref"),
                     migrator.drop_column("booking", "external_ref"),
                     migrator.drop_column("booking", "integration_id"))
    migrator.migrate(migrator.drop_table("api_token"), migrator.drop_table("integration"))
