"""An integration (an outside system) and the API tokens it calls us with."""
from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, TextField

from ..kernel.clock import utcnow
from ..kernel.db import BaseModel

KINDS = {"pms": "Practice management", "calendar": "Calendar", "crm": "CRM", "other": "Other"}


class Integration(BaseModel):
    name = CharField(max_length=80, unique=True)
    kind = CharField(max_length=20, default="pms")
    endpoint_url = CharField(max_length=500, default="")  # where webhooks go; empty: none sent
    secret = CharField(max_length=128)  # signs outgoing webhooks (HMAC-SHA256)
    events = TextField(default="")  # space-separated event names it subscribes to
    # True: the system applies our cancellations itself (webhook). False: staff must also
    # cancel there, and the cancel dialog says so ("Manual update required").
    applies_cancellations = BooleanField(default=False)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    @property
    def event_list(self):
        return self.events.split()


class ApiToken(BaseModel):
    """A bearer token for /api/v1/; only its SHA-256 is stored, shown once when made."""
    integration = ForeignKeyField(Integration, backref="tokens", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    prefix = CharField(max_length=12)  # the first characters, so admins can tell tokens apart
    scopes = CharField(max_length=200, default="")  # space-separated, e.g. "bookings:read"
    created_at = DateTimeField(default=utcnow)
    last_used_at = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)

    @property
    def scope_list(self):
        return self.scopes.split()
