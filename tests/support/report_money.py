"""The report's fees and refunds worked out plainly: every fee line and refund, one booking at
a time (what report_money and report_money_month must add up to)."""
from datetime import timezone
from zoneinfo import ZoneInfo

from portal.billing.models import CANCELLATION_FEE, NO_SHOW_FEE, Invoice, InvoiceLine, Refund
from portal.bookings.models import CANCELLED, NO_SHOW, Assignment, Booking
from portal.reports.cancellations import STAFF_KINDS


def _counted(booking, flt):
    """Whether the report's period and filters take in this booking, worked out plainly."""
    day = booking.starts_at.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(flt.tz)).date()
    workers = {a.staff_id for a in Assignment.select().where(Assignment.booking == booking.id)}
    return (flt.start <= day <= flt.end
            and (not flt.service or booking.service_id == flt.service)
            and (not flt.fieldworker or flt.fieldworker in workers))


def _cancel_counted(booking, flt):
    kinds = {"customer": ("customer",), "staff": STAFF_KINDS, "integration": ("integration",)}
    return (booking.status == CANCELLED
            and (not flt.channel or booking.cancel_channel == flt.channel)
            and (not flt.initiator or booking.cancelled_by_kind in kinds[flt.initiator]))


def plainly(flt):
    """({fee kind: minor units}, {refund status: (refunds, minor units)}) of the report."""
    fees, refunds = {}, {}
    for line in InvoiceLine.select().where(InvoiceLine.kind.in_((CANCELLATION_FEE, NO_SHOW_FEE))):
        booking = Booking.get_or_none(Booking.id == Invoice.get_by_id(line.invoice_id).booking_id)
        if booking is None or not _counted(booking, flt):
            continue
        if (line.kind == CANCELLATION_FEE and _cancel_counted(booking, flt)) or (
                line.kind == NO_SHOW_FEE and booking.status == NO_SHOW):
            fees[line.kind] = fees.get(line.kind, 0) + line.amount
    for refund in Refund.select():
        booking = Booking.get_or_none(Booking.id == Invoice.get_by_id(refund.invoice_id).booking_id)
        if booking is not None and _counted(booking, flt) and _cancel_counted(booking, flt):
            count, amount = refunds.get(refund.status, (0, 0))
            refunds[refund.status] = (count + 1, amount + refund.amount)
    return fees, refunds
