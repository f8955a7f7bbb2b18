"""Outgoing events: their names, the JSON each carries (schema version 1), and queueing them.

Every payload is an envelope {"id", "type", "schema_version", "created_at", "data"}; the id
("evt_" and 24 hex digits) is the receiver's idempotency key. Times are ISO-8601 UTC ("Z");
bookings name the business timezone they are shown in. Money is integer minor units.
Services call booking_event / order_event / refund_event inside their write transaction, so
an event is queued if and only if its change commits.
"""
import copy
import json
import os

from ..billing.models import Invoice, Refund
from ..bookings.models import CANCELLED, Booking, Service
from ..bookings.queries import assigned_staff
from ..kernel.clock import utcnow
from ..kernel.compiled import Compiled, insert_rows
from ..kernel.row_objects import field_values
from ..orders.models import Order, OrderItem, Product
from ..people import Customer
from ..settings import Settings
from ..settings.kept import Kept
from .models import Integration
from .webhook_models import PENDING, WebhookDelivery

SCHEMA_VERSION = 1
EVENTS = {
    "booking.created": "A booking was made",
    "booking.rescheduled": "A booking moved to a new time",
    "booking.cancelled": "A booking was cancelled",
    "booking.completed": "A visit took place",
    "booking.no_show": "The customer did not turn up",
    "order.placed": "An order was placed",
    "order.cancelled": "An order was cancelled",
    "refund.approved": "A refund was approved",
    "refund.rejected": "A refund was rejected",
    "refund.processed": "A refund was paid out",
}


def iso(dt):
    """Naive UTC as ISO-8601 with a Z, to the second; None stays None. (What
    dt.replace(microsecond=0).isoformat() gives, in one call.)"""
    return None if dt is None else dt.isoformat(timespec="seconds") + "Z"


def new_event_id():
    """"evt_" and 24 hex digits: secrets.token_hex(12), which is os.urandom's bytes in hex."""
    return "evt_" + os.urandom(12).hex()


def subscribers(event_type, settings=None):
    """Active integrations with an endpoint that subscribe to `event_type` (one query; none
    when `settings`, the row this request read, says the ones this process kept still hold:
    settings/kept.py). The rows may be shared between requests: read them, never change them."""
    listening = _KEPT.rows(settings) if settings is not None else _LISTENING.rows()
    return [i for i in listening if event_type in i.event_list]


def _listening():
    return Integration.active & (Integration.endpoint_url != "")


# Every change that may send a webhook asks this: its SQL built once (kernel/compiled.py).
_LISTENING = Compiled(lambda: Integration.select().where(_listening()).order_by(Integration.id),
                      0)
_KEPT = Kept(Integration, _listening(), Integration.id)


# json.dumps(..., separators=(",", ":"), ensure_ascii=False), its encoder made once (dumps
# makes one per call when given options; an encoder keeps only them: shared by every thread)
_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def envelope(event_id, event_type, created_at, data):
    """The JSON text sent: compact, keys in a fixed order, UTF-8 as is."""
    return _JSON.encode({"id": event_id, "type": event_type, "schema_version": SCHEMA_VERSION,
                         "created_at": iso(created_at), "data": data})


def emit(event_type, build, now=None, link=None, settings=None):
    """Queue `event_type` for every subscriber in the caller's transaction; returns how many.

    `build()` makes the data once, and only when someone listens. `link` is the booking whose
    external reference is told to the integration it is linked to, and to no other.
    `settings`: the row the caller read this request (see subscribers).
    """
    targets = subscribers(event_type, settings)
    if not targets:
        return 0
    now = now or utcnow()
    data = build()
    rows = []
    for integration in targets:
        event_id = new_event_id()
        rows.append({"event_id": event_id, "integration": integration.id,
                     "event_type": event_type, "status": PENDING, "next_attempt_at": now,
                     "created_at": now,
                     "body": envelope(event_id, event_type, now,
                                      _for(integration, data, link))})
    insert_rows(WebhookDelivery, rows)  # its text built once per number of rows
    return len(rows)


def _for(integration, data, link):
    if link is None or link.integration_id != integration.id or "booking" not in data:
        return data
    data = copy.deepcopy(data)
    data["booking"]["external_ref"] = link.external_ref
    return data


def _actor(actor):
    return {"kind": actor.kind, "id": actor.id, "name": actor.label}


# Bookings

def booking_event(event_type, booking, actor, channel, now=None, *, known=None, **extra):
    """Queue a booking.* event about `booking` as it now is; `extra` joins the data.
    `known`: (settings, staff) the caller read in this transaction, with `booking` holding its
    new values and its service and customer, so nothing is read again; (settings, staff,
    service, customer) when the caller holds those two as well."""
    def build():
        facts = (booking_data(booking.id) if known is None
                 else booking_facts(booking, *known))
        return {**facts, "actor": _actor(actor), "channel": channel, **extra}
    return emit(event_type, build, now, link=booking,
                settings=known[0] if known is not None else None)


def booking_data(booking_id):
    """{"booking": ...}: the facts a receiver needs to mirror the booking (three queries)."""
    row = (Booking.select(Booking, Service, Customer).join(Service).switch(Booking)
           .join(Customer).where(Booking.id == booking_id).get())
    return booking_facts(row, Settings.current(), assigned_staff(row.id))


# What booking_facts reads of the booking: its fields' values taken at once (row_objects)
FACTS = ("ref", "status", "starts_at", "ends_at", "address", "price", "reschedule_count",
         "version", "created_at", "cancelled_at", "cancel_channel", "cancel_reason_label",
         "cancel_note", "cancelled_by_kind", "cancelled_by_id")


def booking_facts(row, settings, staff, service=None, customer=None):
    """booking_data from rows already read: `row` with its service and customer (or those
    two given: the rows the caller read them as)."""
    service = row.service if service is None else service  # (each a lookup through its field)
    customer = row.customer if customer is None else customer
    b = field_values(row, FACTS)
    return {"booking": {
        "ref": b["ref"], "status": b["status"],
        "starts_at": iso(b["starts_at"]), "ends_at": iso(b["ends_at"]),
        "timezone": settings.timezone,
        "service": {"id": service.id, "name": service.name,
                    "duration_minutes": service.duration_minutes},
        "customer": {"id": customer.id, "name": customer.name},
        "staff": [{"id": s.id, "name": s.name} for s in staff],
        "address": b["address"], "price": b["price"], "currency": settings.currency,
        "reschedule_count": b["reschedule_count"], "version": b["version"],
        "created_at": iso(b["created_at"]),
        "external_ref": None,  # filled in only for the integration the booking is linked to
        "cancellation": _cancellation(b),
    }}


def _cancellation(b):
    if b["status"] != CANCELLED:
        return None
    return {"at": iso(b["cancelled_at"]), "channel": b["cancel_channel"],
            "reason": b["cancel_reason_label"], "note": b["cancel_note"],
            "by": {"kind": b["cancelled_by_kind"], "id": b["cancelled_by_id"]}}


# Orders

def order_event(event_type, order, actor, channel, now=None):
    """Queue an order.* event about `order` as it now is."""
    return emit(event_type, lambda: {**order_data(order.id), "actor": _actor(actor),
                                     "channel": channel}, now)


def order_data(order_id):
    """{"order": ...} with its items and customer (three queries)."""
    row = (Order.select(Order, Customer).join(Customer).where(Order.id == order_id).get())
    items = (OrderItem.select(OrderItem, Product).join(Product)
             .where(OrderItem.order == order_id).order_by(OrderItem.id))
    currency = (Invoice.select(Invoice.currency).where(Invoice.id == row.invoice_id).scalar()
                or Settings.current().currency)
    cancelled = None
    if row.status == CANCELLED:
        cancelled = {"at": iso(row.cancelled_at), "channel": row.cancel_channel,
                     "reason": row.cancel_reason_label, "note": row.cancel_note,
                     "by": {"kind": row.cancelled_by_kind, "id": row.cancelled_by_id}}
    return {"order": {
        "ref": row.ref, "status": row.status, "total": row.total, "currency": currency,
        "customer": {"id": row.customer.id, "name": row.customer.name},
        "items": [{"product": {"id": i.product.id, "name": i.product.name},
                   "quantity": i.quantity, "unit_price": i.unit_price} for i in items],
        "placed_at": iso(row.created_at), "version": row.version, "cancellation": cancelled,
    }}


# Refunds

def refund_event(event_type, refund_id, actor, channel="admin", now=None):
    """Queue a refund.* event (a decision on a refund, or its payout)."""
    return emit(event_type, lambda: {**refund_data(refund_id), "actor": _actor(actor),
                                     "channel": channel}, now)


def refund_data(refund_id):
    """{"refund": ...} with what it refunds: a booking's or an order's invoice (three queries)."""
    refund = (Refund.select(Refund, Invoice, Customer).join(Invoice).join(Customer)
              .where(Refund.id == refund_id).get())
    invoice = refund.invoice
    booking_ref = (Booking.select(Booking.ref).where(Booking.id == invoice.booking_id).scalar()
                   if invoice.booking_id else None)
    order_ref = Order.select(Order.ref).where(Order.invoice == invoice.id).scalar()
    return {"refund": {
        "id": refund.id, "status": refund.status, "amount": refund.amount,
        "currency": invoice.currency, "reason": refund.reason,
        "invoice_id": invoice.id, "booking_ref": booking_ref, "order_ref": order_ref,
        "customer": {"id": invoice.customer.id, "name": invoice.customer.name},
        "requested_at": iso(refund.requested_at),
        "decided_at": iso(refund.decided_at), "decision_note": refund.decision_note or None,
        "processed_at": iso(refund.processed_at),
        "processed_reference": refund.processed_reference or None,
        "version": refund.version,
    }}
