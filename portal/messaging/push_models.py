"""Web Push: the instance's VAPID key pair, staff devices' subscriptions, and the push log.

In-app notifications stay the record; a push is one more way a notification reaches a staff
member, with its own log (PushDelivery), which is also the worker's queue."""
from urllib.parse import urlsplit

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from ..kernel.clock import utcnow
from ..kernel.db import BaseModel
from ..people import Staff
from .models import Notification

PENDING, SENDING, SENT, DEAD, GONE, REFUSED = ("pending", "sending", "sent", "dead", "gone",
                                               "refused")
STATUS_LABELS = {PENDING: "Pending", SENDING: "Sending", SENT: "Sent", DEAD: "Failed",
                 GONE: "Device gone", REFUSED: "Refused"}


# First match wins: Edge and Chrome also say "Safari", Android also says "Linux".
_BROWSERS = [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Safari/", "Safari")]
_SYSTEMS = [("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
            ("Windows", "Windows"), ("Mac OS X", "Mac"), ("Linux", "Linux")]


class PushKey(BaseModel):
    """One row. Kept in the database, beside the subscriptions made for it: a push service
    accepts a subscription's pushes only when signed by the key it was made with, so the two
    are backed up and restored together, and every web and worker process reads the same."""
    private_pem = TextField()
    public_key = CharField(max_length=100)  # uncompressed P-256 point, base64url (no padding)
    created_at = DateTimeField(default=utcnow)


class PushSubscription(BaseModel):
    """One device (browser profile) of one staff member, as its PushManager described it."""
    staff = ForeignKeyField(Staff, backref="push_subscriptions", on_delete="CASCADE")
    endpoint = CharField(max_length=1024, unique=True)
    p256dh = CharField(max_length=100)  # the browser's P-256 public key, base64url
    auth = CharField(max_length=40)  # its 16-byte authentication secret, base64url
    user_agent = CharField(max_length=200, default="")
    created_at = DateTimeField(default=utcnow)
    last_success_at = DateTimeField(null=True)
    failures = IntegerField(default=0)  # in a row; a success sets it back to 0

    @property
    def push_service(self):
        return urlsplit(self.endpoint).hostname or ""

    @property
    def device_label(self):
        """"Chrome on Android": enough for a person to tell their devices apart."""
        agent = self.user_agent
        browser = next((name for token, name in _BROWSERS if token in agent), "A browser")
        system = next((name for token, name in _SYSTEMS if token in agent), "")
        return f"{browser} on {system}" if system else browser


class PushDelivery(BaseModel):
    notification = ForeignKeyField(Notification, backref="pushes", on_delete="CASCADE")
    staff = ForeignKeyField(Staff, on_delete="CASCADE")
    # Kept when the device is removed (404/410), so the log still says what happened.
    subscription = ForeignKeyField(PushSubscription, null=True, backref="deliveries",
                                   on_delete="SET NULL")
    push_service = CharField(max_length=255)  # the endpoint's host, for the log
    status = CharField(max_length=20, default=PENDING)
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(default=utcnow)
    claimed_at = DateTimeField(null=True)
    claim_token = CharField(max_length=32, null=True)
    last_status = IntegerField(null=True)  # the push service's last HTTP status
    last_error = TextField(default="")
    created_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("notification", "subscription"), True),
                   (("status", "next_attempt_at"), False))

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)
