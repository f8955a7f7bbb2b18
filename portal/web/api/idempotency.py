"""Idempotency-Key on POST and PUT: the same key and body replays the first answer (with
Idempotent-Replayed: true) and acts no second time; the same key with another body is a 422."""
import hashlib
import json

from flask import g, request

from ...integrations.idempotency import run_once
from .inputs import idempotency_key
from .serialize import reply


def fingerprint(body):
    """Method, path and the body as canonical JSON: key order and spacing don't matter."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


def once(body, action):
    """Answer with `action()` -> (status, payload), at most once per Idempotency-Key. Without
    a key the action simply runs (a retry may then act twice: send a key)."""
    key = idempotency_key()
    if key is None:
        return reply(*action())
    status, payload, replayed = run_once(g.api_token.integration_id, key, fingerprint(body),
                                         action)
    return reply(status, payload, {"Idempotent-Replayed": "true"} if replayed else None)
