"""/api/v1/bookings: read, cancel, reschedule, and link to the caller's own id for a booking."""
from flask import request

from ....integrations import api_actions, api_reads
from ....integrations.tokens import READ, WRITE
from .. import bp
from ..auth import caller, integration, require
from ..idempotency import once
from ..inputs import booking_query, cancel_body, encode_cursor, json_body, link_body, \
    reschedule_body
from ..serialize import booking_json, reply


@bp.get("/bookings")
@require(READ)
def list_bookings():
    page = api_reads.find_bookings(booking_query(request.args, integration().id))
    return reply(200, {"data": [booking_json(r) for r in page.records],
                       "next_cursor": encode_cursor(page.after)})


@bp.get("/bookings/<booking_ref:ref>")
@require(READ)
def get_booking(ref):
    return reply(200, booking_json(api_reads.booking_record(ref)))


@bp.post("/bookings/<booking_ref:ref>/cancel")
@require(WRITE)
def cancel_booking(ref):
    data = json_body()
    fields = cancel_body(data)
    return once(data, lambda: (200, booking_json(api_actions.cancel(ref, caller(), **fields))))


@bp.post("/bookings/<booking_ref:ref>/reschedule")
@require(WRITE)
def reschedule_booking(ref):
    data = json_body()
    fields = reschedule_body(data)
    return once(data, lambda: (200, booking_json(
        api_actions.reschedule(ref, caller(), **fields))))


@bp.put("/bookings/<booking_ref:ref>/external-ref")
@require(WRITE)
def link_booking(ref):
    data = json_body()
    fields = link_body(data)
    return once(data, lambda: (200, booking_json(
        api_actions.link(ref, integration(), caller(), **fields))))
