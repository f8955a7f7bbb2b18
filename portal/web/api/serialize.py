"""What the API answers with: bookings and free starts as JSON-ready dicts (times in UTC, "Z")."""
from flask import jsonify

from ..app.current import current_settings


def moment(value):
    return value.isoformat() + "Z" if value is not None else None


def _cancellation(row):
    """The Cancellation schema for a booking or an order (None while it stands)."""
    if not row.is_cancelled:
        return None
    return {"at": moment(row.cancelled_at), "by": row.cancelled_by_kind,
            "channel": row.cancel_channel, "reason": row.cancel_reason_label,
            "note": row.cancel_note}


def booking_json(record):
    """A BookingRecord as the Booking schema in openapi.py describes it."""
    b = record.booking
    return {
        "ref": b.ref, "status": b.status,
        "service": {"id": b.service.id, "name": b.service.name,
                    "duration_minutes": b.service.duration_minutes},
        "customer": {"name": b.customer.name, "email": b.customer.email,
                     "phone": b.customer.phone},
        "starts_at": moment(b.starts_at), "ends_at": moment(b.ends_at), "address": b.address,
        "price": b.price, "currency": current_settings().currency,
        "fieldworkers": [{"id": s.id, "name": s.name} for s in record.staff],
        "reschedule_count": b.reschedule_count, "version": b.version,
        "created_at": moment(b.created_at), "updated_at": moment(record.updated_at),
        "cancellation": _cancellation(b),
        "integration": {"id": b.integration.id, "name": b.integration.name}
        if b.integration_id is not None else None,
        "external_ref": b.external_ref,
    }


def order_json(record):
    """An OrderRecord as the Order schema in openapi.py describes it."""
    o = record.order
    return {
        "ref": o.ref, "status": o.status,
        "customer": {"id": o.customer.id, "name": o.customer.name, "email": o.customer.email},
        "items": [{"product": {"id": i.product.id, "name": i.product.name},
                   "quantity": i.quantity, "unit_price": i.unit_price, "amount": i.amount}
                  for i in record.items],
        "subtotal": sum(i.amount for i in record.items), "total": o.total,
        "currency": record.currency, "placed_at": moment(o.created_at), "version": o.version,
        "cancellation": _cancellation(o),
    }


def slots_json(service_id, day, timezone, slots):
    return {"service_id": service_id, "date": day.isoformat(), "timezone": timezone,
            "slots": [{"starts_at": moment(s.starts_at), "ends_at": moment(s.ends_at),
                       "fieldworker_ids": list(s.staff_ids)} for s in slots]}


def reply(status, payload, headers=None):
    response = jsonify(payload)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():  # each replaces any default of that name
        response.headers[name] = value
    return response
