"""The report's cancellations as CSV: one row each, streamed in chunks of a fixed size."""
import csv
import io
from collections import defaultdict
from datetime import timezone
from zoneinfo import ZoneInfo

from peewee import JOIN, fn

from ..billing.models import CANCELLATION_FEE, REJECTED, Invoice, InvoiceLine, Refund
from ..bookings.models import Assignment, Booking, Service
from ..integrations.models import Integration
from ..people import Customer, Staff
from .cancellations import STAFF_KINDS, Terms

CHUNK = 500
# A spreadsheet runs a cell starting with these as a formula: a customer's note must not.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def header(tz):
    return ["Reference", f"Appointment ({tz})", f"Cancelled at ({tz})", "Notice (hours)",
            "Customer", "Customer email", "Service", "Fieldworkers", "Reason", "Note",
            "Channel", "Cancelled by", "Cancelled by (name)", "Fee", "Refund",
            "Refund status", "Currency"]


def _text(value):
    value = value or ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _amount(minor):
    sign = "-" if minor < 0 else ""
    return f"{sign}{abs(minor) // 100}.{abs(minor) % 100:02d}"


def _local(moment, zone):
    if moment is None:
        return ""
    return moment.replace(tzinfo=timezone.utc).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _chunks(flt):
    """Cancelled bookings in (start time, id) order, CHUNK at a time, seeking past the last."""
    terms = Terms(flt)
    staff, integration = Staff.alias(), Integration.alias()
    # .objects(): every selected column lands on the booking itself, under these names.
    query = (Booking.select(Booking, Customer.name.alias("customer_name"),
                            Customer.email.alias("customer_email"),
                            Service.name.alias("service_name"), staff.name.alias("staff_name"),
                            integration.name.alias("integration_name"))
             .join(Customer).switch(Booking).join(Service).switch(Booking)
             .join(staff, on=((staff.id == Booking.cancelled_by_id)
                              & Booking.cancelled_by_kind.in_(STAFF_KINDS)),
                   join_type=JOIN.LEFT_OUTER).switch(Booking)
             .join(integration, on=((integration.id == Booking.cancelled_by_id)
                                    & (Booking.cancelled_by_kind == "integration")),
                   join_type=JOIN.LEFT_OUTER)
             .where(terms.cancelled(), *terms.current())
             .order_by(Booking.starts_at, Booking.id).objects())
    after = None
    while True:
        page = query
        if after:
            page = page.where((Booking.starts_at > after[0])
                              | ((Booking.starts_at == after[0]) & (Booking.id > after[1])))
        rows = list(page.limit(CHUNK))
        if not rows:
            return
        yield rows
        if len(rows) < CHUNK:
            return
        after = (rows[-1].starts_at, rows[-1].id)


def _extras(ids):
    """Fieldworkers, fees and refunds for one chunk of bookings: three queries."""
    workers = defaultdict(list)
    for booking_id, name in (Assignment.select(Assignment.booking, Staff.name).join(Staff)
                             .where(Assignment.booking.in_(ids)).order_by(Staff.name).tuples()):
        workers[booking_id].append(name)
    fees = dict(InvoiceLine.select(Invoice.booking, fn.SUM(InvoiceLine.amount)).join(Invoice)
                .where(Invoice.booking.in_(ids), InvoiceLine.kind == CANCELLATION_FEE)
                .group_by(Invoice.booking).tuples())
    refunds = defaultdict(lambda: [0, []])
    for booking_id, status, amount in (Refund.select(Invoice.booking, Refund.status,
                                                     Refund.amount).join(Invoice)
                                       .where(Invoice.booking.in_(ids))
                                       .order_by(Refund.id).tuples()):
        if status != REJECTED:
            refunds[booking_id][0] += amount
        refunds[booking_id][1].append(status)
    return workers, fees, refunds


def _who(booking):
    kind = booking.cancelled_by_kind or ""
    if kind == "customer":
        return booking.customer_name
    if kind in STAFF_KINDS:
        return booking.staff_name or ""
    if kind == "integration":
        return booking.integration_name or ""
    return "Rebook" if kind == "system" else ""


def rows(flt, currency):
    """The header, then one list of cells per cancellation."""
    zone = ZoneInfo(flt.tz)
    yield header(flt.tz)
    for chunk in _chunks(flt):
        workers, fees, refunds = _extras([b.id for b in chunk])
        for b in chunk:
            notice = ((b.starts_at - b.cancelled_at).total_seconds() / 3600
                      if b.cancelled_at else None)
            refund, statuses = refunds.get(b.id, (0, []))
            yield [b.ref, _local(b.starts_at, zone), _local(b.cancelled_at, zone),
                   "" if notice is None else f"{notice:.1f}", _text(b.customer_name),
                   _text(b.customer_email), _text(b.service_name),
                   _text("; ".join(workers.get(b.id, []))), _text(b.cancel_reason_label),
                   _text(b.cancel_note), b.cancel_channel or "", b.cancelled_by_kind or "",
                   _text(_who(b)), _amount(int(fees.get(b.id) or 0)), _amount(refund),
                   "; ".join(statuses), currency]


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
