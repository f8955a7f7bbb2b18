"""Initial schema: people, settings, services, bookings, audit, outbox, notifications.

Frozen copies of the models as they were; callable defaults (timestamps, refs) live in Python,
not in the schema, so they are not repeated here.
"""
from peewee import *


def up(migrator, db):
    class Customer(Model):
        name = CharField(max_length=120)
        email = CharField(unique=True, max_length=254)
        phone = CharField(max_length=40, default='')
        address = TextField(default='')
        password_hash = CharField(default='')
        may_book_online = BooleanField(default=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'customer'
    db.create_tables([Customer])

    class Service(Model):
        name = CharField(max_length=120)
        duration_minutes = IntegerField()
        price = IntegerField()
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'service'
    db.create_tables([Service])

    class Booking(Model):
        ref = CharField(unique=True, max_length=12)
        customer = ForeignKeyField(Customer, on_delete='CASCADE')
        service = ForeignKeyField(Service)
        starts_at = DateTimeField(index=True)
        ends_at = DateTimeField()
        address = TextField(default='')
        price = IntegerField()
        status = CharField(index=True, max_length=20, default='scheduled')
        cancelled_at = DateTimeField(null=True)
        cancelled_by_kind = CharField(null=True, max_length=20)
        cancelled_by_id = IntegerField(null=True)
        cancel_channel = CharField(null=True, max_length=20)
        cancel_note = CharField(null=True)
        reschedule_count = IntegerField(default=0)
        version = IntegerField(default=1)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'booking'
    db.create_tables([Booking])

    class Staff(Model):
        name = CharField(max_length=120)
        email = CharField(unique=True, max_length=254)
        password_hash = CharField(default='')
        role = CharField(max_length=20, default='fieldworker')
        can_edit_booking_status = BooleanField(default=False)
        active = BooleanField(default=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'staff'
    db.create_tables([Staff])

    class Assignment(Model):
        booking = ForeignKeyField(Booking, on_delete='CASCADE')
        staff = ForeignKeyField(Staff)
        class Meta:
            database = db
            table_name = 'assignment'
            indexes = ((('booking', 'staff'), True),)
    db.create_tables([Assignment])

    class AuditEvent(Model):
        subject_type = CharField(max_length=20)
        subject_id = IntegerField()
        action = CharField(max_length=40)
        actor_kind = CharField(max_length=20)
        actor_id = IntegerField(null=True)
        actor_label = CharField(max_length=160, default='')
        channel = CharField(max_length=20)
        before = TextField(default='{}')
        after = TextField(default='{}')
        note = TextField(default='')
        created_at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'audit_event'
            indexes = ((('subject_type', 'subject_id'), False),)
    db.create_tables([AuditEvent])

    class Notification(Model):
        staff = ForeignKeyField(Staff, on_delete='CASCADE')
        booking = ForeignKeyField(Booking, null=True, on_delete='CASCADE')
        kind = CharField(max_length=40)
        message = TextField()
        created_at = DateTimeField()
        read_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'notification'
            indexes = ((('staff', 'read_at'), False),)
    db.create_tables([Notification])

    class OutboxMessage(Model):
        kind = CharField(max_length=20, default='email')
        dedupe_key = CharField(unique=True, max_length=200)
        to_address = CharField(max_length=254)
        subject = CharField()
        body_text = TextField()
        body_html = TextField(default='')
        status = CharField(max_length=20, default='pending')
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField()
        claimed_at = DateTimeField(null=True)
        last_error = TextField(default='')
        created_at = DateTimeField()
        sent_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'outbox_message'
            indexes = ((('status', 'next_attempt_at'), False),)
    db.create_tables([OutboxMessage])

    class Settings(Model):
        business_name = CharField(max_length=120, default='Sparkle & Co. Cleaning')
        timezone = CharField(max_length=64, default='America/New_York')
        currency = CharField(max_length=3, default='USD')
        contact_phone = CharField(max_length=40, default='')
        contact_email = CharField(max_length=254, default='')
        customers_may_cancel = BooleanField(default=True)
        customers_may_reschedule = BooleanField(default=True)
        cancel_notice_hours = IntegerField(default=0)
        reschedule_notice_hours = IntegerField(null=True)
        cancel_note_required = BooleanField(default=False)
        real_time_availability = BooleanField(default=True)
        blocked_message = TextField(default='')
        cancellation_fee = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'settings'
    db.create_tables([Settings])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('settings'))
    migrator.migrate(migrator.drop_table('outbox_message'))
    migrator.migrate(migrator.drop_table('notification'))
    migrator.migrate(migrator.drop_table('audit_event'))
    migrator.migrate(migrator.drop_table('assignment'))
    migrator.migrate(migrator.drop_table('staff'))
    migrator.migrate(migrator.drop_table('booking'))
    migrator.migrate(migrator.drop_table('service'))
    migrator.migrate(migrator.drop_table('customer'))

