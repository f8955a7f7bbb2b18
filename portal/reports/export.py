"""The report's cancellations as CSV: one row each, streamed in chunks of a fixed size; the
bookings' (by appointment day), then the orders' (by the day cancelled)."""
import csv
import io
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from peewee import JOIN, Cast, Value, fn

from ..billing.models import CANCELLATION_FEE, REJECTED, Invoice, InvoiceLine, Refund
from ..bookings.models import Assignment, Booking, Service
from ..integrations.models import Integration
from ..kernel.db import is_postgres
from ..kernel.listing import day_terms
from ..orders.models import CANCELLED as ORDER_CANCELLED, STATUS_LABELS as ORDER_STATUSES, Order
from ..people import Customer, Staff
from .cancellations import STAFF_KINDS, Terms

CHUNK = 500
# A spreadsheet runs a cell starting with these as a formula: a customer's note must not.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def header(tz):
    return ["Reference", f"Appointment ({tz})", f"Cancelled at ({tz})", "Notice (hours)",
            "Customer", "Customer email", "Service", "Fieldworkers", "Reason", "Note",
            "Channel", "Cancelled by", "Cancelled by (name)", "Fee", "Refund",
            "Refund status", "Kind", "Order stage", "Order total", "Currency"]


def _text(value):
    value = value or ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _amount(minor):
    sign = "-" if minor < 0 else ""
    return f"{sign}{abs(minor) // 100}.{abs(minor) % 100:02d}"


def _local(moment, zone):
    if moment is None:
        return ""
    # isoformat's first 16 characters are strftime("%Y-%m-%d %H:%M") at a third of the cost.
    return moment.replace(tzinfo=timezone.utc).astimezone(zone).isoformat(" ", "minutes")[:16]


# Between the values a chunk's query folds into one cell (a fieldworker's name, a refund); a
# control character no name or status holds.
_SEP = "\x1f"


def _folded(expr):
    """Every value of `expr` in the subquery's rows as one text."""
    if is_postgres():
        return fn.string_agg(Cast(expr, "text"), _SEP)
    return fn.group_concat(expr, _SEP)


def _query(flt):
    """The cancellations with everything a row shows, in (start time, id) order: one statement;
    fieldworkers, fees and refunds come in subqueries on the booking's id (indexed), not in a
    query of their own per chunk."""
    terms = Terms(flt)
    staff, integration = Staff.alias(), Integration.alias()
    workers = (Assignment.select(_folded(Staff.name)).join(Staff)
               .where(Assignment.booking == Booking.id))
    fees = (InvoiceLine.select(fn.SUM(InvoiceLine.amount)).join(Invoice)
            .where(Invoice.booking == Booking.id, InvoiceLine.kind == CANCELLATION_FEE))
    refund = Cast(Refund.id, "text").concat(":").concat(Refund.status).concat(":").concat(
        Cast(Refund.amount, "text"))
    refunds = Refund.select(_folded(refund)).join(Invoice).where(Invoice.booking == Booking.id)
    return (Booking.select(Booking.id, Booking.ref, Booking.starts_at, Booking.cancelled_at,
                           Customer.name, Customer.email, Service.name,
                           Booking.cancel_reason_label, Booking.cancel_note,
                           Booking.cancel_channel, Booking.cancelled_by_kind, staff.name,
                           integration.name, workers, fees, refunds)
            .join(Customer).switch(Booking).join(Service).switch(Booking)
            .join(staff, on=((staff.id == Booking.cancelled_by_id)
                             & Booking.cancelled_by_kind.in_(STAFF_KINDS)),
                  join_type=JOIN.LEFT_OUTER).switch(Booking)
            .join(integration, on=((integration.id == Booking.cancelled_by_id)
                                   & (Booking.cancelled_by_kind == "integration")),
                  join_type=JOIN.LEFT_OUTER)
            .where(terms.cancelled(), *terms.current())
            .order_by(Booking.starts_at, Booking.id).tuples())


def _order_query(flt):
    """The orders cancelled on the period's days (business timezone) under the channel and
    "cancelled by" filters, in (cancelled at, id) order; refunds folded in as for bookings."""
    staff, integration = Staff.alias(), Integration.alias()
    refund = Cast(Refund.id, "text").concat(":").concat(Refund.status).concat(":").concat(
        Cast(Refund.amount, "text"))
    refunds = Refund.select(_folded(refund)).where(Refund.invoice == Order.invoice)
    terms = [Order.status == ORDER_CANCELLED, Order.cancelled_at.is_null(False),
             *day_terms(Order.cancelled_at, flt.start, flt.end, flt.tz)]
    if flt.channel:
        terms.append(Order.cancel_channel == flt.channel)
    if flt.initiator in ("customer", "integration"):
        terms.append(Order.cancelled_by_kind == flt.initiator)
    elif flt.initiator == "staff":
        terms.append(Order.cancelled_by_kind.in_(STAFF_KINDS))
    return (Order.select(Order.id, Order.ref, Order.cancelled_at, Customer.name, Customer.email,
                         Order.cancel_reason_label, Order.cancel_note, Order.cancel_channel,
                         Order.cancelled_by_kind, staff.name, integration.name, refunds,
                         Order.cancel_stage, Order.total)
            .join(Customer)
            .join(staff, on=((staff.id == Order.cancelled_by_id)
                             & Order.cancelled_by_kind.in_(STAFF_KINDS)),
                  join_type=JOIN.LEFT_OUTER, src=Order)
            .join(integration, on=((integration.id == Order.cancelled_by_id)
                                   & (Order.cancelled_by_kind == "integration")),
                  join_type=JOIN.LEFT_OUTER, src=Order)
            .where(*terms).order_by(Order.cancelled_at, Order.id).tuples())


# Stand-ins for the seek values while the chunk query's SQL is built (found again by value).
_AFTER = (-8_675_309_001, -8_675_309_002, -8_675_309_003)


def _chunks(flt, query=None, key=(Booking.starts_at, Booking.id), at=2):
    """Cancelled bookings (or `query`'s orders), CHUNK at a time, each chunk one query seeking
    past the last row's (time, id); `key` the columns, `at` where the row holds the time. The
    rows are the driver's tuples (peewee's per-value conversion was a third of the CSV's
    CPU): every time in them is a naive UTC datetime, or on SQLite ISO text. The seek's SQL is
    built once and run with each chunk's values (building it was another tenth); they go to
    the driver as it gave them, so SQLite compares the very text it holds."""
    query = _query(flt) if query is None else query
    db = Booking._meta.database
    moment, ident = key
    start, later, higher = (Value(mark, converter=False) for mark in _AFTER)
    # The first term is the same seek said as a bound on the time alone: PostgreSQL starts
    # its index scan there (an OR only filters), instead of at the period's start each chunk.
    seek = (moment >= start) & ((moment > later) | (ident > higher))
    sql, params = query.limit(CHUNK).sql()
    seek_sql, seek_params = query.where(seek).limit(CHUNK).sql()
    places = [seek_params.index(mark) for mark in _AFTER]
    while True:
        rows = db.execute_sql(sql, params).fetchall()
        if not rows:
            return
        yield rows
        if len(rows) < CHUNK:
            return
        sql, params = seek_sql, list(seek_params)
        for place, value in zip(places, (rows[-1][at], rows[-1][at], rows[-1][0])):
            params[place] = value


def _moment(value):
    """A naive UTC datetime from a raw cursor's value (SQLite: ISO text), or None."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _order_rows(flt, currency, zone):
    """One list of cells per cancelled order; none when a service or fieldworker narrows the
    report (orders have neither)."""
    if flt.service or flt.fieldworker:
        return
    for chunk in _chunks(flt, _order_query(flt), (Order.cancelled_at, Order.id)):
        for (_, ref, cancelled_at, customer, email, reason, note, channel, kind, staff,
             integration, refunds, stage, total) in chunk:
            refund, statuses = _refunds(refunds)
            yield [ref, "", _local(_moment(cancelled_at), zone), "", _text(customer),
                   _text(email), "", "", _text(reason), _text(note), channel or "", kind or "",
                   _text(_who(kind, customer, staff, integration)), _amount(0),
                   _amount(refund), "; ".join(statuses), "Order",
                   ORDER_STATUSES.get(stage, stage or ""), _amount(total), currency]


def _refunds(folded):
    """(refunded minor units, statuses in the order requested) from "id:status:amount"s."""
    if not folded:
        return 0, []
    refunds = sorted((int(i), status, int(amount)) for i, status, amount in
                     (item.split(":") for item in folded.split(_SEP)))
    return (sum(amount for _, status, amount in refunds if status != REJECTED),
            [status for _, status, _ in refunds])


def _who(kind, customer, staff, integration):
    kind = kind or ""
    if kind == "customer":
        return customer
    if kind in STAFF_KINDS:
        return staff or ""
    if kind == "integration":
        return integration or ""
    return "Rebook" if kind == "system" else ""


def rows(flt, currency):
    """The header, then one list of cells per cancellation."""
    zone = ZoneInfo(flt.tz)
    yield header(flt.tz)
    for chunk in _chunks(flt):
        for (_, ref, starts_at, cancelled_at, customer, email, service, reason, note, channel,
             kind, staff, integration, workers, fee, refunds) in chunk:
            starts_at, cancelled_at = _moment(starts_at), _moment(cancelled_at)
            notice = ((starts_at - cancelled_at).total_seconds() / 3600
                      if cancelled_at else None)
            refund, statuses = _refunds(refunds)
            yield [ref, _local(starts_at, zone), _local(cancelled_at, zone),
                   "" if notice is None else f"{notice:.1f}", _text(customer), _text(email),
                   _text(service), _text("; ".join(sorted((workers or "").split(_SEP)))
                                         if workers else ""),
                   _text(reason), _text(note), channel or "", kind or "",
                   _text(_who(kind, customer, staff, integration)), _amount(int(fee or 0)),
                   _amount(refund), "; ".join(statuses), "Booking", "", "", currency]
    yield from _order_rows(flt, currency, zone)


def csv_text(flt, currency):
    """The CSV as text pieces (a byte-order mark first, so spreadsheets read it as UTF-8)."""
    yield "\ufeff"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows(flt, currency):
        writer.writerow(row)
        if buffer.tell() > 32_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
