"""Messages waiting to leave (the outbox) and in-app notices for staff."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from ..bookings.models import Booking
from ..kernel.clock import utcnow
from ..kernel.db import BaseModel
from ..people import Staff

PENDING, SENDING, SENT, DEAD = "pending", "sending", "sent", "dead"


class OutboxMessage(BaseModel):
    kind = CharField(max_length=20, default="email")
    dedupe_key = CharField(max_length=200, unique=True)
    to_address = CharField(max_length=254)
    subject = CharField(max_length=255)
    body_text = TextField()
    body_html = TextField(default="")
    ics = TextField(default="")  # a calendar part, sent as invite.ics
    ics_method = CharField(max_length=10, default="")  # REQUEST or CANCEL
    status = CharField(max_length=20, default=PENDING)
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(default=utcnow)
    claimed_at = DateTimeField(null=True)
    last_error = TextField(default="")
    created_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("status", "next_attempt_at"), False),)


class Notification(BaseModel):
    staff = ForeignKeyField(Staff, backref="notifications", on_delete="CASCADE")
    booking = ForeignKeyField(Booking, null=True, backref="notifications", on_delete="CASCADE")
    kind = CharField(max_length=40)
    message = TextField()
    created_at = DateTimeField(default=utcnow)
    read_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("staff", "read_at"), False),
                   (("staff", "created_at"), False))  # Web Push's fan-out (migration 0019)
