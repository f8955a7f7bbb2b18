"""Idempotency keys for the API: a retried POST or PUT replays its first answer, never acts twice.

The key row is written in the same transaction as the change it guards, so a crash can leave
neither an action without its key nor a key without its action. Only answers that changed
something are kept: a refused request changed nothing, so running it again is safe.
"""
import json
from datetime import timedelta

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, IntegrityError, \
    TextField

from ..kernel.clock import utcnow
from ..kernel.db import BaseModel, database, write_transaction
from ..kernel.errors import Conflict, InvalidInput
from .models import Integration

KEEP_FOR = timedelta(hours=24)
KEY_MAX = 255


class ApiIdempotencyKey(BaseModel):
    integration = ForeignKeyField(Integration, backref="idempotency_keys", on_delete="CASCADE")
    key = CharField(max_length=KEY_MAX)
    fingerprint = CharField(max_length=64)  # SHA-256 of method, path and canonical JSON body
    status = IntegerField(default=0)
    body = TextField(default="")
    created_at = DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("integration", "key"), True),)


REUSED = ("This Idempotency-Key was already used for a different request. Use a new key for "
          "a new request, or send exactly the same request to get its answer again.")


def _stored(integration_id, key):
    return ApiIdempotencyKey.get_or_none((ApiIdempotencyKey.integration == integration_id)
                                         & (ApiIdempotencyKey.key == key))


def _claim(integration_id, key, fingerprint, now):
    """Insert this request's key row; None when another request with the key got there first.
    On PostgreSQL the insert waits for a concurrent holder of the key to commit or roll back."""
    try:
        with database.atomic():  # a savepoint: a clash leaves the transaction usable
            return ApiIdempotencyKey.create(integration=integration_id, key=key,
                                            fingerprint=fingerprint, created_at=now)
    except IntegrityError:
        return None


def run_once(integration_id, key, fingerprint, action, now=None):
    """Run `action()` -> (status, payload) once for this key; returns (status, payload,
    replayed). The same key with another request raises InvalidInput; a DomainError from the
    action rolls back the key with the change."""
    now = now or utcnow()
    with write_transaction():
        ApiIdempotencyKey.delete().where((ApiIdempotencyKey.integration == integration_id)
                                         & (ApiIdempotencyKey.created_at < now - KEEP_FOR)
                                         ).execute()
        row = _stored(integration_id, key)
        if row is None:
            row = _claim(integration_id, key, fingerprint, now)
        if row is None:  # lost a race for the key: the winner has committed, read its answer
            row = _stored(integration_id, key)
            if row is None:
                raise Conflict("Another request with this Idempotency-Key is in progress. "
                               "Try again in a moment.", "key_in_use")
        if row.fingerprint != fingerprint:
            raise InvalidInput(REUSED, "idempotency_key_reused")
        if row.status:
            return row.status, json.loads(row.body), True
        status, payload = action()
        ApiIdempotencyKey.update(status=status, body=json.dumps(payload)).where(
            ApiIdempotencyKey.id == row.id).execute()
    return status, payload, False
