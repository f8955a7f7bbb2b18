"""The reads the Integrations pages need, each in a fixed number of queries."""
from collections import defaultdict
from dataclasses import dataclass, field

from peewee import fn

from ..kernel.errors import NotFound
from .manage import NOT_FOUND
from .models import Integration
from .webhook_models import WebhookAttempt, WebhookDelivery

LOG_SIZE = 50


@dataclass
class Listed:
    integration: Integration
    counts: dict = field(default_factory=dict)  # delivery status -> how many


def listed():
    """Every integration by name, with its deliveries counted by status (two queries)."""
    counts = defaultdict(dict)
    for integration_id, status, n in (
            WebhookDelivery.select(WebhookDelivery.integration, WebhookDelivery.status,
                                   fn.COUNT(WebhookDelivery.id))
            .group_by(WebhookDelivery.integration, WebhookDelivery.status).tuples()):
        counts[integration_id][status] = n
    return [Listed(i, counts[i.id])
            for i in Integration.select().order_by(Integration.name, Integration.id)]


def integration(integration_id):
    found = Integration.get_or_none(Integration.id == integration_id)
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def _attempts_by_delivery(delivery_ids):
    grouped = defaultdict(list)
    if delivery_ids:
        for attempt in (WebhookAttempt.select()
                        .where(WebhookAttempt.delivery.in_(delivery_ids))
                        .order_by(WebhookAttempt.number)):
            grouped[attempt.delivery_id].append(attempt)
    return grouped


def delivery_log(integration_id, limit=LOG_SIZE):
    """The latest deliveries, newest first, each with its attempts (two queries):
    [(delivery, [attempt, ...])]."""
    deliveries = list(WebhookDelivery.select()
                      .where(WebhookDelivery.integration == integration_id)
                      .order_by(WebhookDelivery.id.desc()).limit(limit))
    attempts = _attempts_by_delivery([d.id for d in deliveries])
    return [(d, attempts[d.id]) for d in deliveries]


def delivery(integration_id, delivery_id):
    """One of this integration's deliveries and its attempts; NotFound for anyone else's."""
    found = WebhookDelivery.get_or_none((WebhookDelivery.id == delivery_id)
                                        & (WebhookDelivery.integration == integration_id))
    if found is None:
        raise NotFound("We couldn't find that delivery for this integration.")
    return found, _attempts_by_delivery([found.id])[found.id]
