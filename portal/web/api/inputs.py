"""Reading what a caller sent: the JSON body, query parameters, times and cursors. Every field
problem is collected and answered at once as a 422 with `errors`."""
import base64
import binascii
import json
import re
from datetime import date, datetime, timezone

from flask import request

from ...bookings.models import STATUS_LABELS
from ...integrations.api_reads import PAGE_MAX, BookingQuery
from ...integrations.linking import REF_MAX
from ...kernel.input_limits import MAX_ID, MAX_YEAR, MIN_YEAR, NOTE_MAX
from .problems import Problem

MISSING = object()
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
UNENCODED_PLUS = re.compile(r"^(.*T[0-9:.,]+) ([0-9]{2}(?::?[0-9]{2})?)$")
MOMENT = "an ISO-8601 date-time with an offset, like 2030-03-14T09:30:00Z"
TEXT_MAX = 255


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def json_body():
    """The request's JSON object: 415 for another content type, 413 over the size limit, 400
    when it is not JSON, 422 when it is JSON but not an object."""
    if request.mimetype != "application/json":
        raise Problem(415, "unsupported_media_type",
                      "Send the body as JSON, with the header Content-Type: application/json.")
    raw = request.get_data(cache=True)  # 413 past request.max_content_length
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        where = f" ({exc.msg} at character {exc.pos})" if isinstance(exc, json.JSONDecodeError) \
            else ""
        raise Problem(400, "malformed_json", f"The body is not valid JSON{where}. Check quotes, "
                      "commas and brackets, and send it as UTF-8.") from None
    if not isinstance(data, dict):
        raise Problem(422, "invalid", "The body must be a JSON object, like {\"note\": \"...\"}.")
    return data


def clean_text(value):
    """Text without control characters (openapi.TEXT says the same): PostgreSQL refuses NUL,
    a lone surrogate can't be stored as UTF-8, and no field here needs the others."""
    return isinstance(value, str) and not CONTROL.search(value)


def parse_moment(raw):
    """An ISO-8601 date-time with an offset, as naive UTC (how times are stored); ValueError.
    A space before the offset is read as "+": an unencoded "+" in a query string arrives so."""
    if not isinstance(raw, str) or len(raw) > 64:
        raise ValueError(raw)
    try:
        value = datetime.fromisoformat(UNENCODED_PLUS.sub(r"\1+\2", raw.strip()))
        if value.tzinfo is None:
            raise ValueError(raw)
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    except OverflowError:
        raise ValueError(raw) from None
    # Years at the calendar's edges overflow when shown in the business timezone.
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(raw)
    return value


class Fields:
    """The members of a JSON object (`pointer`) or query string (`parameter`), checked."""

    def __init__(self, data, kind="pointer", allowed=None):
        self.data, self.kind, self.errors = data, kind, []
        for name in data if allowed is not None else ():
            if name not in allowed:
                what = "field" if kind == "pointer" else "parameter"
                self.fail(name, f"{name[:40] or 'A nameless ' + what} is not a {what} here; "
                                f"the {what}s are {', '.join(sorted(allowed))}.")

    def fail(self, name, detail):
        # A JSON Pointer (RFC 6901) escapes "~" and "/" inside a member's name.
        where = "#/" + name.replace("~", "~0").replace("/", "~1") if self.kind == "pointer" \
            else name
        self.errors.append({self.kind: where, "detail": detail})

    def _get(self, name, required):
        value = self.data.get(name, MISSING)
        if value is MISSING and required:
            self.fail(name, f"{name} is required.")
        return value

    def integer(self, name, required=False, maximum=MAX_ID):
        value = self._get(name, required)
        if value is MISSING:
            return None
        if self.kind == "parameter" and isinstance(value, str) and value.isascii() \
                and value.isdigit() and len(value) <= 10:
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
            self.fail(name, f"{name} must be a whole number from 1 to {maximum}.")
            return None
        return value

    def text(self, name, max_length=TEXT_MAX, required=False, nullable=False, default=None):
        value = self._get(name, required)
        if value is MISSING or (value is None and nullable):
            return default
        if not clean_text(value) or len(value) > max_length:
            self.fail(name, f"{name} must be text of at most {max_length} characters, without "
                            "control characters.")
            return default
        return value

    def moment(self, name, required=False):
        value = self._get(name, required)
        if value is MISSING:
            return None
        try:
            return parse_moment(value)
        except ValueError:
            self.fail(name, f"{name} must be {MOMENT}.")
            return None

    def check(self):
        if self.errors:
            raise Problem(422, "invalid", "Some of what you sent can't be used; see errors.",
                          errors=self.errors)


def decode_cursor(raw):
    """(starts_at, id) from a next_cursor this API gave; ValueError for anything else."""
    try:
        starts_at, booking_id = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
        if isinstance(booking_id, bool) or not isinstance(booking_id, int) \
                or not 0 < booking_id <= MAX_ID:
            raise ValueError(raw)
        return datetime.fromisoformat(starts_at).replace(tzinfo=None), booking_id
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise ValueError(raw) from None


def encode_cursor(after):
    if after is None:
        return None
    starts_at, booking_id = after
    text = json.dumps([starts_at.isoformat(), booking_id])
    return base64.urlsafe_b64encode(text.encode("ascii")).decode("ascii")


# A misspelt parameter is refused, not ignored: `?stauts=cancelled` would otherwise answer with
# every booking, as if the filter had been applied.
BOOKING_PARAMETERS = {"status", "cursor", "starts_from", "starts_to", "updated_since",
                      "external_ref", "limit"}


def booking_query(args, integration_id):
    """GET /bookings' query string as a BookingQuery."""
    fields = Fields(args.to_dict(flat=True), "parameter", allowed=BOOKING_PARAMETERS)
    status = fields.text("status", 20)
    if status is not None and status not in STATUS_LABELS:
        fields.fail("status", f"status must be one of {', '.join(STATUS_LABELS)}.")
    after = None
    cursor = fields.text("cursor", 200)
    if cursor is not None:
        try:
            after = decode_cursor(cursor)
        except ValueError:
            fields.fail("cursor", "cursor must be a next_cursor this API returned.")
    query = BookingQuery(
        status=status, starts_from=fields.moment("starts_from"),
        starts_to=fields.moment("starts_to"), updated_since=fields.moment("updated_since"),
        external_ref=fields.text("external_ref", REF_MAX), integration_id=integration_id,
        after=after, limit=fields.integer("limit", maximum=PAGE_MAX) or 50)
    fields.check()
    return query


def availability_query(args):
    """(local day, fieldworker id or None) from GET /services/{id}/availability."""
    fields = Fields(args.to_dict(flat=True), "parameter", allowed={"date", "fieldworker_id"})
    raw = fields.text("date", 10, required=True)
    fieldworker = fields.integer("fieldworker_id")
    day = None
    if raw is not None:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            fields.fail("date", "date must be a day as YYYY-MM-DD.")
    fields.check()
    return day, fieldworker


def idempotency_key():
    """The Idempotency-Key header, or None; 400 when it is not 1-255 printable characters."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 1 <= len(key) <= 255 or not key.isascii() or not key.isprintable():
        raise Problem(400, "invalid_idempotency_key", "Idempotency-Key must be 1 to 255 "
                      "printable ASCII characters, such as a UUID.",
                      errors=[{"header": "Idempotency-Key",
                               "detail": "Use 1 to 255 printable ASCII characters."}])
    return key


def cancel_body(data):
    """{reason_id?, reason?, note?, version?} for POST /bookings/{ref}/cancel."""
    fields = Fields(data, allowed={"reason_id", "reason", "note", "version"})
    body = {"reason_id": fields.integer("reason_id"), "reason": fields.text("reason", 80),
            "note": fields.text("note", NOTE_MAX, default=""), "version": fields.integer("version")}
    fields.check()
    return body


def reschedule_body(data):
    """{starts_at, fieldworker_id?, version?} for POST /bookings/{ref}/reschedule."""
    fields = Fields(data, allowed={"starts_at", "fieldworker_id", "version"})
    body = {"starts_at": fields.moment("starts_at", required=True),
            "fieldworker_id": fields.integer("fieldworker_id"),
            "version": fields.integer("version")}
    fields.check()
    return body


def link_body(data):
    """{external_ref (null: unlink), version?} for PUT /bookings/{ref}/external-ref."""
    fields = Fields(data, allowed={"external_ref", "version"})
    ref = fields.text("external_ref", REF_MAX, required=True, nullable=True)
    if ref is not None and not ref.strip():
        fields.fail("external_ref", "external_ref can't be blank; send null to unlink.")
    body = {"external_ref": ref.strip() if ref else None, "version": fields.integer("version")}
    fields.check()
    return body


def order_body(data):
    """{customer_id | customer_email, items: [{product_id, quantity}]} for POST /orders."""
    from ...orders.services import MAX_LINES, MAX_QUANTITY
    fields = Fields(data, allowed={"customer_id", "customer_email", "items"})
    body = {"customer_id": fields.integer("customer_id"),
            "customer_email": fields.text("customer_email", 254), "items": []}
    items = fields._get("items", True)
    if items is not MISSING and (not isinstance(items, list) or not 1 <= len(items) <= MAX_LINES):
        fields.fail("items", f"items must be a list of 1 to {MAX_LINES} "
                             "{\"product_id\": …, \"quantity\": …} objects.")
    elif items is not MISSING:
        for n, item in enumerate(items):
            if not isinstance(item, dict):
                fields.errors.append({"pointer": f"#/items/{n}", "detail": "Each item must be "
                                      "an object like {\"product_id\": 3, \"quantity\": 2}."})
                continue
            line = Fields(item, allowed={"product_id", "quantity"})
            product_id = line.integer("product_id", required=True)
            quantity = line.integer("quantity", required=True, maximum=MAX_QUANTITY)
            for error in line.errors:  # the line's pointers, under the list's
                fields.errors.append({"pointer": f"#/items/{n}/" + error["pointer"][2:],
                                      "detail": error["detail"]})
            if product_id is not None and quantity is not None:
                body["items"].append((product_id, quantity))
    fields.check()
    return body
