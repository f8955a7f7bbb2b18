"""Messages waiting to leave (the outbox) and in-app notices for staff."""
from peewee import CharField, DateTimeField, FieldAccessor, ForeignKeyField, IntegerField, TextField

from ..bookings.models import Booking
from ..kernel.clock import utcnow
from ..kernel.db import BaseModel
from ..orders.models import Order
from ..people import Staff

PENDING, SENDING, SENT, DEAD = "pending", "sending", "sent", "dead"


class _RenderedOnRead(FieldAccessor):
    """body_text, body_html and ics of a message queued as a template (`template` set, bodies
    empty) are rendered when first read, by whoever reads them: the worker sending it, the
    email log showing it, a test. Rendered once per object; not written back (the worker's one
    UPDATE per batch stays one)."""

    def __get__(self, instance, instance_type=None):
        if instance is None:
            return self.field  # OutboxMessage.body_text in a query
        if instance.__data__.get("template") and not instance.__dict__.get("_rendered"):
            from .rendering import render  # the templates' side, kept out of the model
            instance.__data__.update(render(instance.template, instance.context))
            instance._rendered = True
        return instance.__data__.get(self.name)


class RenderedText(TextField):
    accessor_class = _RenderedOnRead


class OutboxMessage(BaseModel):
    kind = CharField(max_length=20, default="email")
    dedupe_key = CharField(max_length=200, unique=True)
    to_address = CharField(max_length=254)
    subject = CharField(max_length=255)
    body_text = RenderedText(default="")
    body_html = RenderedText(default="")
    ics = RenderedText(default="")  # a calendar part, sent as invite.ics
    # Or what to render at send time: a name in messaging/rendering.py and its values as JSON.
    template = CharField(max_length=40, default="")
    context = TextField(default="")
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
    # Not indexed alone: both indexes below start with it (migration 0033).
    staff = ForeignKeyField(Staff, backref="notifications", on_delete="CASCADE", index=False)
    booking = ForeignKeyField(Booking, null=True, backref="notifications", on_delete="CASCADE")
    order = ForeignKeyField(Order, null=True, backref="notifications", on_delete="CASCADE")
    kind = CharField(max_length=40)
    message = TextField()
    created_at = DateTimeField(default=utcnow)
    read_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("staff", "read_at"), False),
                   (("staff", "created_at"), False))  # Web Push's fan-out (migration 0019)
