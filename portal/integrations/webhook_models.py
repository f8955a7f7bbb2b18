"""Outgoing webhooks: one delivery per event and integration, and every attempt to send it."""
import json

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from ..kernel.clock import utcnow
from ..kernel.db import BaseModel
from .models import Integration

PENDING, SENDING, DELIVERED, DEAD = "pending", "sending", "delivered", "dead"
REFUSED = "refused"  # not sent: the endpoint's address is not one webhooks may go to
STATUS_LABELS = {PENDING: "Pending", SENDING: "Sending", DELIVERED: "Delivered", DEAD: "Dead",
                 REFUSED: "Refused"}
NOT_SENT = "Not sent: "  # how an attempt that made no request starts its error


class WebhookDelivery(BaseModel):
    # The receiver's idempotency key: the same on every retry and on an admin's resend.
    event_id = CharField(max_length=40, unique=True)
    integration = ForeignKeyField(Integration, backref="deliveries", on_delete="CASCADE")
    event_type = CharField(max_length=40)
    body = TextField()  # the JSON sent, byte for byte what the signature covers
    status = CharField(max_length=20, default=PENDING)
    attempts = IntegerField(default=0)  # since it was last queued; DEAD at MAX_ATTEMPTS
    next_attempt_at = DateTimeField(default=utcnow)
    claimed_at = DateTimeField(null=True)
    claim_token = CharField(max_length=32, null=True)  # which worker's claim it is under
    last_status = IntegerField(null=True)  # the last HTTP status; None after a network error
    last_error = TextField(default="")
    created_at = DateTimeField(default=utcnow)
    delivered_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("status", "next_attempt_at"), False),
                   (("integration", "created_at"), False))

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def pretty_body(self):
        """The body indented for people to read (what was sent is `body`, unchanged)."""
        try:
            return json.dumps(json.loads(self.body), indent=2, ensure_ascii=False)
        except ValueError:
            return self.body


class WebhookAttempt(BaseModel):
    delivery = ForeignKeyField(WebhookDelivery, backref="attempt_log", on_delete="CASCADE")
    number = IntegerField()  # 1, 2, ... over the delivery's whole life, resends included
    at = DateTimeField(default=utcnow)
    url = CharField(max_length=500)
    response_status = IntegerField(null=True)  # None: no HTTP answer (refused, timed out...)
    error = TextField(default="")
    duration_ms = IntegerField(default=0)
    response_snippet = TextField(default="")  # the start of the answer's body

    class Meta:
        indexes = ((("delivery", "number"), True),)

    @property
    def refused(self):
        return self.response_status is None and self.error.startswith(NOT_SENT)

    @property
    def ok(self):
        return self.response_status is not None and 200 <= self.response_status < 300
