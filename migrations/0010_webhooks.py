"""Outgoing webhooks: deliveries (one per event and integration) and their attempts."""
from peewee import *


def up(migrator, db):
    class Integration(Model):
        class Meta:
            database = db
            table_name = "integration"

    class WebhookDelivery(Model):
        event_id = CharField(max_length=40, unique=True)
        integration = ForeignKeyField(Integration, on_delete="CASCADE")
        event_type = CharField(max_length=40)
        body = TextField()
        status = CharField(max_length=20, default="pending")
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField()
        claimed_at = DateTimeField(null=True)
        claim_token = CharField(max_length=32, null=True)
        last_status = IntegerField(null=True)
        last_error = TextField(default="")
        created_at = DateTimeField()
        delivered_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "webhook_delivery"
            indexes = ((("status", "next_attempt_at"), False),
                       (("integration", "created_at"), False))

    class WebhookAttempt(Model):
        delivery = ForeignKeyField(WebhookDelivery, on_delete="CASCADE")
        number = IntegerField()
        at = DateTimeField()
        url = CharField(max_length=500)
        response_status = IntegerField(null=True)
        error = TextField(default="")
        duration_ms = IntegerField(default=0)
        response_snippet = TextField(default="")

        class Meta:
            database = db
            table_name = "webhook_attempt"
            indexes = ((("delivery", "number"), True),)

    db.create_tables([WebhookDelivery, WebhookAttempt])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("webhook_attempt"),
                     migrator.drop_table("webhook_delivery"))
