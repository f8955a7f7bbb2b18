"""Helpers for the API tests: an integration, its tokens, calls with them, and a snapshot of
everything a call could change; `pms` and `token` fixtures for the modules that import them."""
import json

import pytest

from portal.audit import AuditEvent
from portal.bookings.models import Assignment, Booking
from portal.integrations import tokens
from portal.integrations.idempotency import ApiIdempotencyKey
from portal.integrations.models import ApiToken, Integration
from portal.kernel.actors import SYSTEM
from portal.messaging.models import Notification, OutboxMessage

BOTH = [tokens.READ, tokens.WRITE]
EVERY_SCOPE = list(tokens.SCOPES)


def integration(name="Praktika", **fields):
    return Integration.create(name=name, kind="pms", secret="s" * 40, **fields)


def token_for(integration_row, scopes=BOTH):
    """A live token (the raw text) for the integration."""
    return tokens.create_token(integration_row.id, scopes, SYSTEM)[1]


@pytest.fixture
def pms(world):
    """An integration, as an outside booking system."""
    return integration()


@pytest.fixture
def token(pms):
    """A live token of `pms` that may read and write."""
    return token_for(pms)


def headers(token, key=None, **extra):
    out = {"Authorization": f"Bearer {token}", **extra}
    if key is not None:
        out["Idempotency-Key"] = key
    return out


def post(client, url, token, body, key=None, method="post", **extra):
    """A JSON call the way an outside system makes one."""
    return getattr(client, method)(url, data=json.dumps(body), headers=headers(token, key, **extra),
                                   content_type="application/json")


def snapshot():
    """Everything an API call could change."""
    return {
        "bookings": sorted((b.id, b.status, b.version, b.starts_at, b.integration_id,
                            b.external_ref, b.cancel_channel, b.cancel_note)
                           for b in Booking.select()),
        "assignments": sorted((a.booking_id, a.staff_id) for a in Assignment.select()),
        "audit": AuditEvent.select().count(),
        "outbox": OutboxMessage.select().count(),
        "notices": Notification.select().count(),
        "keys": ApiIdempotencyKey.select().count(),
        "tokens": sorted((t.id, t.revoked_at) for t in ApiToken.select()),
    }


def assert_problem(response, status, code=None):
    """A problem+json answer (RFC 9457) with the status, and the code when given."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json", response.headers
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"]
    assert body["type"].startswith("urn:rebook:problem:")
    if code is not None:
        assert body["code"] == code, body
    return body
