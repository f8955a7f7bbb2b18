"""Sending queued webhooks: claim a batch, POST each signed body, log every attempt.

Claims work like the email outbox (portal/messaging/outbox.py): a batch is marked "sending"
under a lease, with SKIP LOCKED on PostgreSQL so two workers never take the same row. Each
claim carries a token, and a worker renews its claim on a row just before sending it: a
worker that stalled past the lease finds the row taken and leaves it, so one delivery is
never being sent by two workers at once.
"""
import http.client
import logging
import secrets
import time
from datetime import timedelta

from flask import current_app, has_app_context
from peewee import fn

from .. import audit
from ..kernel.clock import utcnow
from ..kernel.db import locked, write_transaction
from ..kernel.errors import Conflict, DomainError, NotFound
from ..messaging.outbox import backoff
from . import signing, targets
from .models import Integration
from .webhook_models import (DEAD, DELIVERED, NOT_SENT, PENDING, REFUSED, SENDING, WebhookAttempt,
                             WebhookDelivery)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_LEASE = timedelta(minutes=5)  # far beyond one request's timeout
DEFAULT_TIMEOUT = 10  # seconds; WEBHOOK_TIMEOUT in the config
SNIPPET_CHARS = 500
READ_LIMIT = 4096  # bytes of an answer worth reading: we keep a snippet, not the page
USER_AGENT = "Rebook-Webhooks/1"


def claim_batch(limit=20, now=None):
    """Mark up to `limit` due deliveries as this worker's; other workers skip them."""
    now = now or utcnow()
    token = secrets.token_hex(16)
    due = ((WebhookDelivery.status == PENDING) & (WebhookDelivery.next_attempt_at <= now)) | (
        (WebhookDelivery.status == SENDING) & (WebhookDelivery.claimed_at < now - CLAIM_LEASE))
    with write_transaction():
        query = WebhookDelivery.select().where(due).order_by(WebhookDelivery.id).limit(limit)
        batch = list(locked(query, skip_locked=True))
        if batch:
            (WebhookDelivery.update(status=SENDING, claimed_at=now, claim_token=token)
             .where(WebhookDelivery.id.in_([d.id for d in batch])).execute())
    for delivery in batch:
        delivery.status, delivery.claimed_at, delivery.claim_token = SENDING, now, token
    return batch


def _ours(delivery):
    """The claim, renewed for one more send; False when another worker has taken it over."""
    return (WebhookDelivery.update(claimed_at=utcnow())
            .where((WebhookDelivery.id == delivery.id) & (WebhookDelivery.status == SENDING)
                   & (WebhookDelivery.claim_token == delivery.claim_token))
            .execute()) == 1


def _timeout():
    """Seconds to wait on one receiver: WEBHOOK_TIMEOUT when the app says, else 10."""
    if not has_app_context():
        return DEFAULT_TIMEOUT
    return current_app.config.get("WEBHOOK_TIMEOUT", DEFAULT_TIMEOUT)


def post(target, secret, delivery, timeout):
    """POST the signed body once to a vetted target: (HTTP status or None, error text, answer
    snippet, ms). A 3xx is the receiver's answer, not a hop: following it could re-POST the
    signed body to a place the admin never configured (and no one checked)."""
    body = delivery.body.encode()
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
               signing.HEADER: signing.sign(secret, body),
               "Rebook-Event-Id": delivery.event_id, "Rebook-Event-Type": delivery.event_type}
    started = time.monotonic()
    status, error, answer = None, "", b""
    connection = targets.connection(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        status, answer = response.status, response.read(READ_LIMIT)
        if not 200 <= status < 300:
            error = f"HTTP {status} {response.reason}".strip()
    except (OSError, http.client.HTTPException, ValueError) as exc:  # no usable answer
        error = str(exc) or type(exc).__name__
    finally:
        connection.close()
    elapsed = int((time.monotonic() - started) * 1000)
    return status, error, answer.decode("utf-8", "replace")[:SNIPPET_CHARS], elapsed


def deliver(delivery):
    """Send one claimed delivery. Returns True (delivered), False (failed or refused) or None
    (skipped: another worker owns it now)."""
    if not _ours(delivery):
        return None
    integration = Integration.get_or_none(Integration.id == delivery.integration_id)
    if integration is None or not integration.active or not integration.endpoint_url:
        _give_up(delivery, "Not sent: the integration is switched off or has no endpoint URL. "
                           "Resend once it is set up again.")
        return False
    url = integration.endpoint_url
    try:  # checked again now: DNS may point the name somewhere else than when it was saved
        target = targets.vet(url)
    except targets.UnresolvedTarget as exc:  # DNS trouble: worth trying again later
        outcome = (None, exc.message, "", 0)
    except DomainError as exc:  # refused: no request is made, so no internal answer is shown
        _record(delivery, url, (None, NOT_SENT + exc.message, "", 0), refused=True)
        log.warning("webhook %s to %s refused: %s", delivery.event_id, url, exc.message)
        return False
    else:
        outcome = post(target, integration.secret, delivery, _timeout())
    ok = _record(delivery, url, outcome)
    if not ok:
        log.warning("webhook %s to %s failed (attempt %s): %s", delivery.event_id, url,
                    delivery.attempts + 1, outcome[1] or outcome[0])
    return ok


def _record(delivery, url, outcome, refused=False):
    """Log the attempt and move the delivery on; True when the receiver took it."""
    status, error, snippet, elapsed = outcome
    ok = status is not None and 200 <= status < 300
    with write_transaction():
        number = (WebhookAttempt.select(fn.COALESCE(fn.MAX(WebhookAttempt.number), 0))
                  .where(WebhookAttempt.delivery == delivery.id).scalar()) + 1
        WebhookAttempt.create(delivery=delivery.id, number=number, url=url[:500],
                              response_status=status, error=error[:2000], duration_ms=elapsed,
                              response_snippet=snippet)
        attempts = delivery.attempts + 1
        fields = {"attempts": attempts, "last_status": status, "claimed_at": None,
                  "claim_token": None}
        if ok:
            fields.update(status=DELIVERED, delivered_at=utcnow(), last_error="")
        elif refused:  # retrying changes nothing until the URL or the operator's list does
            fields.update(status=REFUSED, last_error=error[:2000])
        else:
            fields.update(status=DEAD if attempts >= MAX_ATTEMPTS else PENDING,
                          last_error=error[:2000] or f"HTTP {status}",
                          next_attempt_at=utcnow() + backoff(attempts))
        (WebhookDelivery.update(**fields)
         .where((WebhookDelivery.id == delivery.id)
                & (WebhookDelivery.claim_token == delivery.claim_token)).execute())
    return ok


def _give_up(delivery, why):
    (WebhookDelivery.update(status=DEAD, last_error=why, claimed_at=None, claim_token=None)
     .where((WebhookDelivery.id == delivery.id)
            & (WebhookDelivery.claim_token == delivery.claim_token)).execute())


def work_once(limit=20):
    """Claim and send one batch. Returns (delivered, failed)."""
    delivered = failed = 0
    for delivery in claim_batch(limit):
        result = deliver(delivery)
        if result is True:
            delivered += 1
        elif result is False:
            failed += 1
    return delivered, failed


def resend(integration_id, delivery_id, actor):
    """Queue a delivered, dead or refused delivery again, with the same event id and body (an admin's
    resend: the receiver's dedupe by id makes it safe). Returns the delivery."""
    with write_transaction():
        delivery = locked(WebhookDelivery.select().where(
            (WebhookDelivery.id == delivery_id)
            & (WebhookDelivery.integration == integration_id))).get_or_none()
        if delivery is None:
            raise NotFound("We couldn't find that delivery. Reload the delivery log.")
        if delivery.status not in (DELIVERED, DEAD, REFUSED):
            raise Conflict("This delivery is already queued to be sent; there is nothing to "
                           "resend yet. Reload the delivery log to see where it stands.",
                           "already_queued")
        (WebhookDelivery.update(status=PENDING, attempts=0, next_attempt_at=utcnow(),
                                claimed_at=None, claim_token=None)
         .where(WebhookDelivery.id == delivery.id).execute())
        audit.record("integration", integration_id, "webhook_resent", actor, "admin",
                     before={"status": delivery.status},
                     after={"status": PENDING, "event_id": delivery.event_id,
                            "type": delivery.event_type})
    return WebhookDelivery.get_by_id(delivery.id)
