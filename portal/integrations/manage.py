"""Admin > Integrations: adding and changing outside systems, and rotating their secrets.

Each change is one write transaction with its audit event (subject "integration"). The
signing secret is never written to the audit log.
"""
from urllib.parse import urlsplit

from peewee import IntegrityError, fn

from .. import audit
from ..kernel.db import locked, write_transaction
from ..kernel.errors import InvalidInput, NotFound
from .events import EVENTS
from .models import KINDS, Integration
from .signing import new_secret
from .targets import vet

NAME_MAX = 80
URL_MAX = 500
NOT_FOUND = "We couldn't find that integration. It may have been removed; reload the list."


def clean_url(url):
    """An http(s) URL whose host webhooks may go to (portal/integrations/targets.py), or ""
    for none; InvalidInput (code endpoint_url) otherwise."""
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > URL_MAX:
        raise InvalidInput(f"The endpoint URL is {len(url)} characters; it can be at most "
                           f"{URL_MAX}.", "endpoint_url")
    bad = InvalidInput("Enter the endpoint as a full web address starting with https:// or "
                       "http://, like https://pms.example.com/webhooks/rebook.", "endpoint_url")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise bad
    try:
        parts = urlsplit(url)
        parts.port  # raises ValueError on a port that isn't a number in range
    except ValueError:
        raise bad from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad
    if parts.username or parts.password:
        raise InvalidInput("Leave the user name and password out of the URL: every request "
                           "is signed with the integration's secret instead.", "endpoint_url")
    vet(url, look_up_allowed=False)  # looked up again before each delivery: DNS can change
    return url


def _clean(name, kind, endpoint_url, events, applies_cancellations):
    """The values to store, or InvalidInput whose code names the field it refuses."""
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput("Enter a name for the integration, like the system's own name.",
                           "name")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"Please keep the name to {NAME_MAX} characters.", "name")
    if kind not in KINDS:
        raise InvalidInput("Choose what kind of system it is from the list.", "kind")
    endpoint_url = clean_url(endpoint_url)
    unknown = [e for e in events or () if e not in EVENTS]
    if unknown:
        raise InvalidInput("Choose events from the list.", "events")
    events = [e for e in EVENTS if e in set(events or ())]  # the list's order, no repeats
    if applies_cancellations and not (endpoint_url and "booking.cancelled" in events):
        raise InvalidInput("A system can only apply cancellations automatically when it "
                           "has an endpoint URL and receives the booking.cancelled event. "
                           "Add both, or choose \u201cneeds a manual update\u201d.",
                           "applies_cancellations")
    return {"name": name, "kind": kind, "endpoint_url": endpoint_url,
            "events": " ".join(events), "applies_cancellations": bool(applies_cancellations)}


def _facts(integration):
    return {"name": integration.name, "kind": integration.kind,
            "endpoint_url": integration.endpoint_url, "events": integration.events,
            "applies_cancellations": integration.applies_cancellations,
            "active": integration.active}


def _name_taken(name, but=None):
    query = Integration.select().where(fn.LOWER(Integration.name) == name.lower())
    return query.where(Integration.id != but).exists() if but else query.exists()


def _taken(name):
    return InvalidInput(f"There is already an integration called {name}. Choose another "
                        "name.", "name")


def add_integration(actor, *, name, kind, endpoint_url="", events=(),
                    applies_cancellations=False, active=True):
    """Create an integration with a fresh signing secret; returns it."""
    fields = _clean(name, kind, endpoint_url, events, applies_cancellations)
    try:
        with write_transaction():
            if _name_taken(fields["name"]):
                raise _taken(fields["name"])
            integration = Integration.create(secret=new_secret(), active=bool(active),
                                             **fields)
            audit.record("integration", integration.id, "integration_added", actor, "admin",
                         after=_facts(integration))
    except IntegrityError:  # another admin used the name a moment ago
        raise _taken(fields["name"]) from None
    return integration


def _lock(integration_id):
    integration = locked(Integration.select().where(Integration.id == integration_id)) \
        .get_or_none()
    if integration is None:
        raise NotFound(NOT_FOUND)
    return integration


def update_integration(integration_id, actor, *, name, kind, endpoint_url="", events=(),
                       applies_cancellations=False, active=True):
    """Change an integration's settings (the secret stays); returns it as it now is."""
    fields = _clean(name, kind, endpoint_url, events, applies_cancellations)
    fields["active"] = bool(active)
    try:
        with write_transaction():
            integration = _lock(integration_id)
            if _name_taken(fields["name"], but=integration.id):
                raise _taken(fields["name"])
            before = _facts(integration)
            Integration.update(**fields).where(Integration.id == integration.id).execute()
            integration = Integration.get_by_id(integration.id)
            after = _facts(integration)
            if after != before:
                audit.record("integration", integration.id, "integration_changed", actor,
                             "admin", before=before, after=after)
    except IntegrityError:
        raise _taken(fields["name"]) from None
    return integration


def rotate_secret(integration_id, actor):
    """Replace the signing secret; requests from now on are signed with the new one."""
    with write_transaction():
        integration = _lock(integration_id)
        Integration.update(secret=new_secret()).where(Integration.id == integration.id).execute()
        audit.record("integration", integration.id, "integration_secret_rotated", actor, "admin")
    return Integration.get_by_id(integration_id)
