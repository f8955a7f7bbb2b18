"""Web Push for staff: the instance's VAPID key pair, each device a staff member subscribed,
and every push sent (the delivery log, which is also the worker's queue); an index for the
worker to find each subscribed staff member's latest notifications."""
from peewee import *


def up(migrator, db):
    class Staff(Model):
        class Meta:
            database = db
            table_name = "staff"

    class Notification(Model):
        class Meta:
            database = db
            table_name = "notification"

    class PushKey(Model):
        # One row: the key pair push services know this instance by (RFC 8292).
        private_pem = TextField()
        public_key = CharField(max_length=100)  # uncompressed P-256 point, base64url
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "push_key"

    class PushSubscription(Model):
        staff = ForeignKeyField(Staff, on_delete="CASCADE")
        endpoint = CharField(max_length=1024, unique=True)
        p256dh = CharField(max_length=100)
        auth = CharField(max_length=40)
        user_agent = CharField(max_length=200, default="")
        created_at = DateTimeField()
        last_success_at = DateTimeField(null=True)
        failures = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "push_subscription"

    class PushDelivery(Model):
        notification = ForeignKeyField(Notification, on_delete="CASCADE")
        staff = ForeignKeyField(Staff, on_delete="CASCADE")
        subscription = ForeignKeyField(PushSubscription, null=True, on_delete="SET NULL")
        push_service = CharField(max_length=255)
        status = CharField(max_length=20, default="pending")
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField()
        claimed_at = DateTimeField(null=True)
        claim_token = CharField(max_length=32, null=True)
        last_status = IntegerField(null=True)
        last_error = TextField(default="")
        created_at = DateTimeField()
        sent_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "push_delivery"
            indexes = ((("notification", "subscription"), True),
                       (("status", "next_attempt_at"), False))

    db.create_tables([PushKey, PushSubscription, PushDelivery])
    # The worker's fan-out reads each subscribed staff member's latest notices.
    migrator.migrate(migrator.add_index("notification", ("staff_id", "created_at"), False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("notification", "notification_staff_id_created_at"))
    for table in ("push_delivery", "push_subscription", "push_key"):
        migrator.migrate(migrator.drop_table(table))
