"""The OpenAPI 3.1 document for /api/v1/, built here beside the routes so the two cannot drift:
tests/web/test_api.py compares its paths with the registered routes, and schemathesis checks
every answer against it."""
from ...bookings.models import STATUS_LABELS
from ...integrations.api_reads import PAGE_MAX
from ...integrations.linking import REF_MAX
from ...integrations.tokens import ORDERS_WRITE, READ, SCOPES, WRITE
from ...orders.models import STATUS_LABELS as ORDER_STATUSES
from ...orders.services import MAX_LINES, MAX_QUANTITY
from ...kernel.input_limits import MAX_ID
from ...kernel.input_limits import NOTE_MAX
from . import PREFIX, REF_PATTERN, bp
from .problems import BODY_LIMIT, MEDIA_TYPE
from .serialize import reply

# No control characters: they are refused (PostgreSQL can't store NUL, nothing here needs them).
TEXT = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$"
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
MOMENT = {"type": "string", "format": "date-time"}
NULLABLE_TEXT = {"type": ["string", "null"]}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(required, **properties):
    return {"type": "object", "additionalProperties": False, "required": list(required),
            "properties": properties}


def _text(max_length, min_length=0):
    return {"type": "string", "minLength": min_length, "maxLength": max_length, "pattern": TEXT}


SCHEMAS = {
    "Problem": {
        "type": "object", "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "description": "urn:rebook:problem:<code>"},
            "title": {"type": "string"}, "status": {"type": "integer"},
            "detail": {"type": "string", "description": "What happened and what to do next."},
            "code": {"type": "string"},
            "errors": {"type": "array", "items": _ref("FieldError")}}},
    "FieldError": {
        "type": "object", "required": ["detail"],
        "properties": {"pointer": {"type": "string", "description": "A body member: #/note"},
                       "parameter": {"type": "string"}, "header": {"type": "string"},
                       "detail": {"type": "string"}}},
    "Booking": _obj(
        ["ref", "status", "service", "customer", "starts_at", "ends_at", "address", "price",
         "currency", "fieldworkers", "reschedule_count", "version", "created_at", "updated_at",
         "cancellation", "integration", "external_ref"],
        ref={"type": "string"}, status={"type": "string", "enum": list(STATUS_LABELS)},
        service=_obj(["id", "name", "duration_minutes"], id={"type": "integer"},
                     name={"type": "string"}, duration_minutes={"type": "integer"}),
        customer=_obj(["name", "email", "phone"], name={"type": "string"},
                      email={"type": "string"}, phone={"type": "string"}),
        starts_at=MOMENT, ends_at=MOMENT, address={"type": "string"},
        price={"type": "integer", "description": "Minor units (cents)."},
        currency={"type": "string"},
        fieldworkers={"type": "array", "items": _obj(["id", "name"], id={"type": "integer"},
                                                     name={"type": "string"})},
        reschedule_count={"type": "integer"},
        version={"type": "integer", "description": "Send it back to refuse a stale change."},
        created_at=MOMENT,
        updated_at={**MOMENT, "description": "The booking's last recorded change."},
        cancellation={"anyOf": [_ref("Cancellation"), {"type": "null"}]},
        integration={"anyOf": [_obj(["id", "name"], id={"type": "integer"},
                                    name={"type": "string"}), {"type": "null"}]},
        external_ref=NULLABLE_TEXT),
    "Cancellation": _obj(
        ["at", "by", "channel", "reason", "note"],
        at={"type": ["string", "null"], "format": "date-time"},
        by={**NULLABLE_TEXT, "description": "customer, admin, fieldworker or integration"},
        channel=NULLABLE_TEXT, reason=NULLABLE_TEXT, note=NULLABLE_TEXT),
    "BookingList": _obj(["data", "next_cursor"],
                        data={"type": "array", "items": _ref("Booking")},
                        next_cursor={**NULLABLE_TEXT,
                                     "description": "Pass as ?cursor= for the next page."}),
    "Availability": _obj(
        ["service_id", "date", "timezone", "slots"], service_id={"type": "integer"},
        date={"type": "string", "format": "date"}, timezone={"type": "string"},
        slots={"type": "array", "items": _obj(
            ["starts_at", "ends_at", "fieldworker_ids"], starts_at=MOMENT, ends_at=MOMENT,
            fieldworker_ids={"type": "array", "items": {"type": "integer"}})}),
    "CancelRequest": _obj(
        [], reason_id={**ID, "description": "A cancellation reason's id..."},
        reason={**_text(80, 1), "description": "...or its label (case does not matter)."},
        note={**_text(NOTE_MAX), "description": "Required when the reason is \u201cOther\u201d."},
        version=ID),
    "RescheduleRequest": _obj(
        ["starts_at"],
        starts_at={**MOMENT, "description": "One of the free starts from availability."},
        fieldworker_id={**ID, "description": "Who does the visit; default: who has it."},
        version=ID),
    "ExternalRefRequest": _obj(
        ["external_ref"],
        external_ref={"type": ["string", "null"], "minLength": 1, "maxLength": REF_MAX,
                      "pattern": TEXT, "description": "Your id for the booking; null unlinks."},
        version=ID),
    "Order": _obj(
        ["ref", "status", "customer", "items", "subtotal", "total", "currency", "placed_at",
         "version", "cancellation"],
        ref={"type": "string"}, status={"type": "string", "enum": list(ORDER_STATUSES)},
        customer=_obj(["id", "name", "email"], id={"type": "integer"}, name={"type": "string"},
                      email={"type": "string"}),
        items={"type": "array", "items": _obj(
            ["product", "quantity", "unit_price", "amount"],
            product=_obj(["id", "name"], id={"type": "integer"}, name={"type": "string"}),
            quantity={"type": "integer"},
            unit_price={"type": "integer", "description": "Minor units, before tax."},
            amount={"type": "integer", "description": "quantity × unit_price."})},
        subtotal={"type": "integer", "description": "Minor units, before tax."},
        total={"type": "integer", "description": "Minor units, tax included, as invoiced."},
        currency={"type": "string"}, placed_at=MOMENT,
        version={"type": "integer"},
        cancellation={"anyOf": [_ref("Cancellation"), {"type": "null"}]}),
    "OrderRequest": _obj(
        ["items"],
        customer_id={**ID, "description": "The customer, by id..."},
        customer_email={**_text(254, 1), "description": "...or by email (send one of them)."},
        items={"type": "array", "minItems": 1, "maxItems": MAX_LINES, "items": _obj(
            ["product_id", "quantity"], product_id=ID,
            quantity={"type": "integer", "minimum": 1, "maximum": MAX_QUANTITY})}),
}


def _problem(description):
    return {"description": description,
            "content": {MEDIA_TYPE: {"schema": _ref("Problem")}}}


def _ok(schema, description):
    return {"description": description, "headers": {"Idempotent-Replayed": {
        "description": "true when this answer is replayed for a repeated Idempotency-Key",
        "schema": {"type": "string"}}},
        "content": {"application/json": {"schema": _ref(schema)}}}


COMMON = {"401": _problem("No token, or not a live one (see WWW-Authenticate)."),
          "403": _problem("The token lacks the scope this needs."),
          "429": _problem("Too many requests; wait a minute.")}
WRITES = {"400": _problem("Malformed JSON or Idempotency-Key."),
          "404": _problem("No such booking."),
          "409": _problem("Stale version, or the booking's state refuses the change."),
          "413": _problem(f"Body over {BODY_LIMIT // 1024} KB."),
          "415": _problem("Body not sent as application/json."),
          "422": _problem("A field can't be used (see errors), or the Idempotency-Key was "
                          "used for a different request.")}
REF_PARAM = {"name": "ref", "in": "path", "required": True,
             "schema": {"type": "string", "pattern": f"^{REF_PATTERN}$"}}
KEY_PARAM = {"name": "Idempotency-Key", "in": "header", "required": False,
             "description": "Retry safely: the same key and body replay the first answer.",
             "schema": {"type": "string", "minLength": 1, "maxLength": 255,
                        "pattern": "^[\\x20-\\x7E]+$"}}


def _query(name, schema, description, required=False):
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema}


def _write(summary, request_schema, op_id, method="post"):
    return {method: {
        "operationId": op_id, "summary": summary, "security": [{"bearer": [WRITE]}],
        "parameters": [REF_PARAM, KEY_PARAM],
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": _ref(request_schema)}}},
        "responses": {"200": _ok("Booking", "The booking as it now is."), **COMMON, **WRITES}}}


PATHS = {
    "/bookings": {"get": {
        "operationId": "listBookings", "summary": "List bookings, soonest start first.",
        "security": [{"bearer": [READ]}],
        "parameters": [
            _query("status", {"type": "string", "enum": list(STATUS_LABELS)}, "Only this status."),
            _query("starts_from", MOMENT, "Starting at or after."),
            _query("starts_to", MOMENT, "Starting before."),
            _query("updated_since", MOMENT, "Made or changed at or after."),
            _query("external_ref", _text(REF_MAX), "The booking you linked under this id."),
            _query("cursor", {"type": "string", "maxLength": 200}, "next_cursor of a page."),
            _query("limit", {"type": "integer", "minimum": 1, "maximum": PAGE_MAX},
                   "Page size (default 50).")],
        "responses": {"200": _ok("BookingList", "One page of bookings."), **COMMON,
                      "422": _problem("A parameter can't be used (see errors).")}}},
    "/bookings/{ref}": {"get": {
        "operationId": "getBooking", "summary": "One booking by its reference.",
        "security": [{"bearer": [READ]}], "parameters": [REF_PARAM],
        "responses": {"200": _ok("Booking", "The booking."), **COMMON,
                      "404": _problem("No such booking.")}}},
    "/bookings/{ref}/cancel": _write(
        "Cancel a booking, by the same rules as the back office.", "CancelRequest",
        "cancelBooking"),
    "/bookings/{ref}/reschedule": _write(
        "Move a booking to a free start.", "RescheduleRequest", "rescheduleBooking"),
    "/bookings/{ref}/external-ref": _write(
        "Link the booking to your system's id for it.", "ExternalRefRequest",
        "linkBooking", method="put"),
    "/orders": {"post": {
        "operationId": "placeOrder",
        "summary": "Place an order for a customer: stock taken, invoiced, customer emailed.",
        "security": [{"bearer": [ORDERS_WRITE]}], "parameters": [KEY_PARAM],
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": _ref("OrderRequest")}}},
        "responses": {"201": _ok("Order", "The order as placed."), **COMMON,
                      **{code: answer for code, answer in WRITES.items() if code != "404"},
                      "409": _problem("A product is out of stock (code out_of_stock), or "
                                      "another request with this Idempotency-Key is under way."),
                      "422": _problem("A field can't be used: an unknown customer or product, a "
                                      "quantity out of range (see errors); or the "
                                      "Idempotency-Key was used for a different request.")}}},
    "/services/{service_id}/availability": {"get": {
        "operationId": "serviceAvailability",
        "summary": "Free starts for a service on one day (business timezone).",
        "security": [{"bearer": [READ]}],
        "parameters": [
            {"name": "service_id", "in": "path", "required": True, "schema": ID},
            _query("date", {"type": "string", "format": "date"}, "The local day.", True),
            _query("fieldworker_id", ID, "Only this fieldworker's free starts.")],
        "responses": {"200": _ok("Availability", "The free starts."), **COMMON,
                      "404": _problem("No such active service."),
                      "422": _problem("A parameter can't be used (see errors).")}}},
    "/openapi.json": {"get": {
        "operationId": "openapi", "summary": "This document.", "security": [],
        "responses": {"200": {"description": "The OpenAPI document.", "content": {
            "application/json": {"schema": {"type": "object"}}}},
            "429": _problem("Too many requests; wait a minute.")}}},
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "Rebook API", "version": "1",
             "description": "For the business's own systems (a practice-management system): "
                            "read bookings, cancel or reschedule them by the back office's "
                            "rules, link them to your ids, and place the shop's orders. Errors are "
                            "application/problem+json (RFC 9457). Send an Idempotency-Key "
                            "with every POST and PUT so a retry never acts twice."},
    "paths": {PREFIX + path: item for path, item in PATHS.items()},
    "components": {"schemas": SCHEMAS, "securitySchemes": {"bearer": {
        "type": "http", "scheme": "bearer", "bearerFormat": "rbk_ token",
        "description": "Admin > Integrations > API tokens. Scopes: " + "; ".join(
            f"{scope}: {text}" for scope, text in SCOPES.items())}}},
    "security": [{"bearer": []}],
}


@bp.get("/openapi.json")
def openapi_document():
    return reply(200, DOCUMENT)
