"""The activity/history log: append-only audit events."""
import json

from peewee import CharField, DateTimeField, IntegerField, TextField

from .db import BaseModel
from .people import utcnow


class AuditEvent(BaseModel):
    subject_type = CharField(max_length=20)  # booking, order, settings
    subject_id = IntegerField()
    action = CharField(max_length=40)
    actor_kind = CharField(max_length=20)  # customer, admin, fieldworker, system
    actor_id = IntegerField(null=True)
    actor_label = CharField(max_length=160, default="")
    channel = CharField(max_length=20)  # portal, email_link, admin, fieldworker, integration, system
    before = TextField(default="{}")
    after = TextField(default="{}")
    note = TextField(default="")
    created_at = DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("subject_type", "subject_id"), False),)

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


def record(subject_type, subject_id, action, actor, channel, *, before=None, after=None,
           note="", at=None):
    """Append one event; call inside the transaction that made the change."""
    return AuditEvent.create(
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label,
        channel=channel,
        before=json.dumps(before or {}, sort_keys=True, default=str),
        after=json.dumps(after or {}, sort_keys=True, default=str),
        note=note or "",
        created_at=at or utcnow(),
    )
