"""Sending Web Push: the worker turns staff notifications into encrypted pushes and logs each.

Fan-out happens in the worker, not in the transaction that made the notification: the
notification is the record and is committed first, so a rolled-back change pushes nothing, and
the change itself costs no extra query whether or not anyone subscribed. One INSERT ... SELECT
per pass queues a PushDelivery for every unread notification (of the last FAN_OUT_WINDOW) and
every device its staff member subscribed before it was made; the unique (notification,
subscription) pair means two workers queue it once.

Each push is encrypted for its device (RFC 8291, aes128gcm, by http_ece) and carries a VAPID
token (RFC 8292, by py_vapid) signed with the instance's key. It is POSTed over the pinned
connection the webhooks use (targets.connection), to an endpoint vetted again just before, so a
name that now points inside our network gets nothing. 404/410 mean the device unsubscribed or
expired: the subscription is removed. 429, 5xx and network errors are retried with backoff.
"""
import http.client
import json
import logging
import secrets
from datetime import timedelta

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app, has_app_context
from peewee import JOIN

from ..integrations import targets
from ..kernel.clock import utcnow
from ..kernel.config import PRODUCTION
from ..kernel.db import locked, write_transaction
from ..kernel.errors import DomainError
from ..people import Staff
from ..settings import Settings
from . import push_keys
from .models import Notification
from .outbox import backoff
from .push_models import (DEAD, GONE, PENDING, REFUSED, SENDING, SENT, PushDelivery,
                          PushSubscription)
from .push_subscriptions import SETTING

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # about an hour of retries: a job change later than that is stale news
CLAIM_LEASE = timedelta(minutes=5)
FAN_OUT_WINDOW = timedelta(hours=1)
TTL_SECONDS = 12 * 3600  # how long the push service keeps it for a phone that is off
TIMEOUT = 10
BODY_MAX = 1000  # characters of the message; a push payload may be at most 4 KB
DEVICE_GONE = (404, 410)
RETRY = (408, 425, 429)


def fan_out(now=None) -> int:
    """Queue a push for each new notification and subscribed device; returns how many."""
    now = now or utcnow()
    # From the few subscribed devices to each one's recent notices, through the (staff,
    # created_at) index: the cost follows the pushes due, not the unread notices piled up.
    candidates = (PushSubscription
                  .select(Notification.id, Notification.staff, PushSubscription.id.alias("sub"),
                          PushSubscription.endpoint)
                  .join(Staff, on=(Staff.id == PushSubscription.staff))
                  .join(Notification, on=((Notification.staff == PushSubscription.staff)
                                          & (Notification.created_at >= now - FAN_OUT_WINDOW)))
                  .join(PushDelivery, JOIN.LEFT_OUTER,
                        on=((PushDelivery.notification == Notification.id)
                            & (PushDelivery.subscription == PushSubscription.id)))
                  .where(Notification.read_at.is_null() & (Staff.active == True)  # noqa: E712
                         & (Notification.created_at >= PushSubscription.created_at)
                         & PushDelivery.id.is_null())
                  .dicts())
    rows = [{"notification": c["id"], "staff": c["staff"], "subscription": c["sub"],
             "push_service": (_host(c["endpoint"]))[:255], "status": PENDING,
             "next_attempt_at": now, "created_at": now, "last_error": ""}
            for c in candidates]
    if rows:
        PushDelivery.insert_many(rows).on_conflict_ignore().execute()
    return len(rows)


def _host(endpoint):
    return push_keys.origin(endpoint).split("://", 1)[-1]


def claim_batch(limit=20, now=None):
    now = now or utcnow()
    token = secrets.token_hex(16)
    due = ((PushDelivery.status == PENDING) & (PushDelivery.next_attempt_at <= now)) | (
        (PushDelivery.status == SENDING) & (PushDelivery.claimed_at < now - CLAIM_LEASE))
    with write_transaction():
        batch = list(locked(PushDelivery.select().where(due).order_by(PushDelivery.id)
                            .limit(limit), skip_locked=True))
        if batch:
            (PushDelivery.update(status=SENDING, claimed_at=now, claim_token=token)
             .where(PushDelivery.id.in_([d.id for d in batch])).execute())
    for delivery in batch:
        delivery.claim_token = token
    return batch


def payload(notification, title) -> bytes:
    """What the service worker shows: small JSON, the text cut to fit a push's 4 KB."""
    message = notification.message
    if len(message) > BODY_MAX:
        message = message[:BODY_MAX - 1] + "…"
    return json.dumps({"title": title, "body": message, "tag": f"notification-{notification.id}",
                       "url": f"/fieldworker/notifications#notification-{notification.id}"},
                      ensure_ascii=False).encode()


def encrypt(data: bytes, subscription) -> bytes:
    """RFC 8291: a fresh sender key per message, ECDH with the device's key, its auth secret."""
    return http_ece.encrypt(data, private_key=ec.generate_private_key(ec.SECP256R1()),
                            dh=push_keys.b64url_decode(subscription.p256dh),
                            auth_secret=push_keys.b64url_decode(subscription.auth),
                            version="aes128gcm")


def post(target, body, authorization):
    """(HTTP status or None, error text)."""
    headers = {"Authorization": authorization, "TTL": str(TTL_SECONDS), "Urgency": "high",
               "Content-Encoding": "aes128gcm", "Content-Type": "application/octet-stream"}
    connection = targets.connection(target, TIMEOUT)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(4096)
        ok = 200 <= response.status < 300
        return response.status, "" if ok else f"HTTP {response.status} {response.reason}".strip()
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return None, str(exc) or type(exc).__name__
    finally:
        connection.close()


def _config(name, default=None):
    return current_app.config.get(name, default) if has_app_context() else default


def contact() -> str:
    """VAPID's `sub`: how a push service reaches whoever runs this instance."""
    from email.utils import parseaddr
    address = parseaddr(_config("MAIL_DEFAULT_SENDER") or "")[1]
    return f"mailto:{address}" if "@" in address else "mailto:admin@localhost"


def deliver(delivery, signer, title):
    """Send one claimed push; returns True (sent), False (not) or None (another worker's now)."""
    if (PushDelivery.update(claimed_at=utcnow())
            .where((PushDelivery.id == delivery.id) & (PushDelivery.status == SENDING)
                   & (PushDelivery.claim_token == delivery.claim_token)).execute()) != 1:
        return None
    subscription = PushSubscription.get_or_none(PushSubscription.id == delivery.subscription_id)
    notification = Notification.get_or_none(Notification.id == delivery.notification_id)
    if subscription is None or notification is None:
        return _finish(delivery, GONE, None, "Not sent: the device was removed.")
    endpoint = subscription.endpoint
    try:
        if _config("REBOOK_MODE") == PRODUCTION and not endpoint.startswith("https://"):
            raise DomainError("Not sent: push service addresses must start with https://.")
        target = targets.vet(endpoint, setting=SETTING, sends="push notifications")
    except targets.UnresolvedTarget as exc:
        status, error = None, exc.message
    except DomainError as exc:  # refused before any request is made
        log.warning("push %s to %s refused: %s", delivery.id, _host(endpoint), exc.message)
        return _finish(delivery, REFUSED, None, exc.message, subscription)
    else:
        body = encrypt(payload(notification, title), subscription)
        status, error = post(target, body, signer.authorization(endpoint))
    if status is not None and 200 <= status < 300:
        return _finish(delivery, SENT, status, "", subscription)
    if status in DEVICE_GONE:
        return _finish(delivery, GONE, status, f"{error}: the device unsubscribed or its "
                       "subscription expired, so it was removed.", subscription)
    retry = status is None or status in RETRY or status >= 500
    attempts = delivery.attempts + 1
    outcome = PENDING if retry and attempts < MAX_ATTEMPTS else DEAD
    log.warning("push %s to %s failed (attempt %s): %s", delivery.id, _host(endpoint),
                attempts, error)
    return _finish(delivery, outcome, status, error, subscription)


def _finish(delivery, outcome, status, error, subscription=None):
    now, attempts = utcnow(), delivery.attempts + 1
    fields = {"status": outcome, "attempts": attempts, "last_status": status,
              "last_error": error[:2000], "claimed_at": None, "claim_token": None}
    if outcome == SENT:
        fields["sent_at"] = now
    elif outcome == PENDING:
        fields["next_attempt_at"] = now + backoff(attempts)
    with write_transaction():
        (PushDelivery.update(**fields).where((PushDelivery.id == delivery.id)
                                             & (PushDelivery.claim_token == delivery.claim_token))
         .execute())
        if subscription is not None and outcome == GONE:
            PushSubscription.delete().where(PushSubscription.id == subscription.id).execute()
        elif subscription is not None and outcome == SENT:
            (PushSubscription.update(last_success_at=now, failures=0)
             .where(PushSubscription.id == subscription.id).execute())
        elif subscription is not None:
            (PushSubscription.update(failures=PushSubscription.failures + 1)
             .where(PushSubscription.id == subscription.id).execute())
    return outcome == SENT


def work_once(limit=20):
    """Queue what is new, then claim and send one batch. Returns (sent, failed)."""
    fan_out()  # its one INSERT commits on its own; a pass with nothing new writes nothing
    batch = claim_batch(limit)
    if not batch:
        return 0, 0
    signer = push_keys.Signer(push_keys.current(), contact())
    title = Settings.current().business_name or "Rebook"
    results = [_deliver_safely(d, signer, title) for d in batch]
    return results.count(True), results.count(False)


def _deliver_safely(delivery, signer, title):
    """One push's surprise (a stored key the encryption refuses, say) is that push's failure,
    retried and logged; it must not stop the batch, nor the worker's email and webhooks."""
    try:
        return deliver(delivery, signer, title)
    except Exception as exc:  # noqa: BLE001 - logged and kept on the delivery
        log.exception("push %s failed unexpectedly", delivery.id)
        retry = delivery.attempts + 1 < MAX_ATTEMPTS
        return _finish(delivery, PENDING if retry else DEAD, None,
                       f"Not sent: {type(exc).__name__}: {exc}")
