"""The activity/history log: append-only audit events."""
import json

from peewee import CharField, DateTimeField, IntegerField, TextField

from ..kernel.clock import utcnow
from ..kernel.compiled import insert_rows
from ..kernel.row_objects import instance
from ..kernel.db import BaseModel

APPEND_ONLY = "audit events are append-only"
# Where a change was made, as people read it.
CHANNELS = {"portal": "Customer portal", "email_link": "Email link", "admin": "Admin",
            "fieldworker": "Fieldworker", "integration": "Integration", "system": "System",
            "waitlist": "Waitlist offer"}


def channel_label(key):
    """A channel as people read it ("email_link" -> "Email link")."""
    return CHANNELS.get(key, (key or "").replace("_", " "))

# The database refuses to change or remove an event, whatever code runs. migrations/0009 installs
# these and keeps its own copy of the text (migrations never import portal); a test checks that
# the two agree. SQLite has no statement to switch a trigger off, so the tests drop and recreate
# them around emptying the table (tests/support/database.py).
SQLITE_TRIGGERS = {
    "audit_event_no_update": (
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"),
    "audit_event_no_delete": (
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"),
}
POSTGRES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'restrict_violation'; "
    "END $$")
# Row triggers. The tests empty PostgreSQL's tables with them switched off for that one
# transaction (session_replication_role, which only a superuser may set).
POSTGRES_TRIGGER = (
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()")


class AppendOnlyError(RuntimeError):
    """Raised by any attempt to change or remove an audit event."""

    def __init__(self):
        super().__init__(APPEND_ONLY + ": record a new event instead of changing one")


class AuditEvent(BaseModel):
    subject_type = CharField(max_length=20)  # booking, order, invoice, refund, settings, ...
    subject_id = IntegerField()
    action = CharField(max_length=40)
    actor_kind = CharField(max_length=20)  # customer, admin, fieldworker, system, integration
    actor_id = IntegerField(null=True)
    actor_label = CharField(max_length=160, default="")
    channel = CharField(max_length=20)  # portal, email_link, admin, fieldworker, integration, system
    before = TextField(default="{}")
    after = TextField(default="{}")
    note = TextField(default="")
    created_at = DateTimeField(default=utcnow, index=True)

    class Meta:
        # One subject's history; the activity log's action and actor filters, newest first
        # (a group of actors by kind, one person by id).
        indexes = ((("subject_type", "subject_id"), False), (("action", "created_at"), False),
                   (("actor_kind", "created_at"), False),
                   (("actor_id", "actor_kind", "created_at"), False))

    @property
    def before_data(self):
        return json.loads(self.before or "{}")

    @property
    def after_data(self):
        return json.loads(self.after or "{}")

    @classmethod
    def for_subject(cls, subject_type, subject_id):
        return (cls.select()
                .where((cls.subject_type == subject_type) & (cls.subject_id == subject_id))
                .order_by(cls.created_at, cls.id))

    # History is never rewritten: the only way in is an insert (create / insert_many).
    def save(self, force_insert=False, only=None):
        if self._pk is not None and not force_insert:
            raise AppendOnlyError()
        return super().save(force_insert=force_insert, only=only)

    def delete_instance(self, *args, **kwargs):
        raise AppendOnlyError()

    @classmethod
    def update(cls, *args, **kwargs):
        raise AppendOnlyError()

    @classmethod
    def delete(cls):
        raise AppendOnlyError()

    @classmethod
    def replace(cls, *args, **kwargs):
        raise AppendOnlyError()  # REPLACE deletes the row it collides with

    @classmethod
    def replace_many(cls, *args, **kwargs):
        raise AppendOnlyError()


# json.dumps(value, sort_keys=True, default=str), its encoder made once (dumps makes one per
# call when given options; an encoder keeps only them, so one serves every thread)
_JSON = json.JSONEncoder(sort_keys=True, default=str)


def record(subject_type, subject_id, action, actor, channel, *, before=None, after=None,
           note="", at=None):
    """Append one event; call inside the transaction that made the change. Returns the
    AuditEvent as create() would. (The INSERT's text is built once: kernel.compiled; every
    field is given here, as a plain value, so the object is made straight from the row, as
    insert_row would after checking each value for a related row.)"""
    row = dict(
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label,
        channel=channel,
        before=_JSON.encode(before or {}),
        after=_JSON.encode(after or {}),
        note=note or "",
        created_at=at or utcnow(),
    )
    # as create() leaves it: the row's values, then the new key; nothing dirty
    return instance(AuditEvent, {**row, "id": insert_rows(AuditEvent, [row])})
