"""The cancellations report's summary: bookings counted per business day and everything the
report groups or filters by, so a period's figures add up a few thousand rows instead of
every booking in it. portal/reports/summary.py keeps it current."""
from peewee import CharField, DateField, DateTimeField, IntegerField

from ..kernel.db import BaseModel

BOOKING_ROW = 0  # staff_id of the row counting the booking itself (not one of its workers)
REFUND = "refund"  # report_money.kind of a refund row
MONEY_INDEX = ("staff_id", "day", "kind", "status", "refund_status", "cancel_channel",
               "cancelled_by_kind", "service_id", "items", "amount")


class ReportDay(BaseModel):
    day = DateField()  # the appointment's day in the business timezone
    staff_id = IntegerField()  # BOOKING_ROW, or a fieldworker assigned to the bookings
    service_id = IntegerField()
    status = CharField(max_length=20)
    cancel_channel = CharField(max_length=20, null=True)
    cancelled_by_kind = CharField(max_length=20, null=True)
    cancel_reason_id = IntegerField(null=True)
    cancel_reason_label = CharField(max_length=80, null=True)
    notice_hours = IntegerField(null=True)  # whole hours of notice, clamped (summary.py)
    bookings = IntegerField()
    rescheduled = IntegerField()  # bookings moved at least once
    moves = IntegerField()
    price = IntegerField()  # minor units, summed

    class Meta:
        # Every column the report reads (migration 0027): a period's rows add up from the
        # index alone, without looking each one up in the table.
        indexes = ((("staff_id", "day", "service_id", "status", "bookings", "price",
                     "rescheduled", "moves", "notice_hours", "cancel_channel",
                     "cancelled_by_kind", "cancel_reason_id", "cancel_reason_label"), False),)


class ReportMoney(BaseModel):
    """Fees and refunds of the bookings counted in report_day, per business day and per what
    the report filters them by; kept current with report_day (summary.py), marked dirty by
    triggers on invoice lines, refunds and invoices (migration 0029)."""
    day = DateField()  # the appointment's day in the business timezone
    staff_id = IntegerField()  # BOOKING_ROW, or a fieldworker assigned to the bookings
    service_id = IntegerField()
    status = CharField(max_length=20)  # the booking's
    cancel_channel = CharField(max_length=20, null=True)
    cancelled_by_kind = CharField(max_length=20, null=True)
    kind = CharField(max_length=30)  # a fee line's kind, or REFUND
    refund_status = CharField(max_length=20, null=True)  # REFUND rows only
    items = IntegerField()  # lines or refunds
    amount = IntegerField()  # minor units, summed

    class Meta:
        # Every column the report reads, as report_day's: a period is added up from the index.
        indexes = ((MONEY_INDEX, False),)


# report_month's notice columns: cancellations with notice under each bound (hours), the
# last one at or over the last bound. The report's notice buckets are these; "late" reads
# whole months only when its bound is one of them (else the timeline reads days).
NOTICE_BOUNDS = (24, 48, 168)
MONTH_INDEX = ("staff_id", "month", "service_id", "status", "cancel_channel",
               "cancelled_by_kind", "bookings", "rescheduled", "moves", "price", "notice_24",
               "notice_48", "notice_168", "notice_over")


class ReportMonth(BaseModel):
    """report_day added up per calendar month, for what the timeline, services and
    fieldworkers read: a long period reads its whole months here and only its edge days in
    report_day. Counted again from report_day in the same transaction as the days it holds
    (summary.py), so the two never disagree."""
    month = DateField()  # the month's first day
    staff_id = IntegerField()
    service_id = IntegerField()
    status = CharField(max_length=20)
    cancel_channel = CharField(max_length=20, null=True)
    cancelled_by_kind = CharField(max_length=20, null=True)
    bookings = IntegerField()
    rescheduled = IntegerField()
    moves = IntegerField()
    price = IntegerField()
    notice_24 = IntegerField()  # bookings with notice under 24 hours (NOTICE_BOUNDS)
    notice_48 = IntegerField()  # 24 to under 48
    notice_168 = IntegerField()  # 48 to under 168
    notice_over = IntegerField()  # 168 or more

    class Meta:
        indexes = ((MONTH_INDEX, False),)


REASON_MONTH_INDEX = ("staff_id", "month", "service_id", "cancel_channel", "cancelled_by_kind",
                      "cancel_reason_id", "cancel_reason_label", "bookings")


class ReportReasonMonth(BaseModel):
    """report_day's cancellations added up per calendar month and per reason and channel, for
    what the reasons and channels read (a long period's whole months here, its edge days in
    report_day). Only cancellations: that is all those figures count. Counted again from
    report_day in the same transaction as report_month (summary.py)."""
    month = DateField()  # the month's first day
    staff_id = IntegerField()
    service_id = IntegerField()
    cancel_channel = CharField(max_length=20, null=True)
    cancelled_by_kind = CharField(max_length=20, null=True)
    cancel_reason_id = IntegerField(null=True)
    cancel_reason_label = CharField(max_length=80, null=True)
    bookings = IntegerField()

    class Meta:
        indexes = ((REASON_MONTH_INDEX, False),)


MONEY_MONTH_INDEX = ("staff_id", "month", "kind", "status", "refund_status", "cancel_channel",
                     "cancelled_by_kind", "service_id", "items", "amount")


class ReportMoneyMonth(BaseModel):
    """report_money added up per calendar month, for the report's fees and refunds: a long
    period reads its whole months here and only its edge days in report_money. Counted again
    from report_money in the same transaction as the days it holds (summary.py)."""
    month = DateField()  # the month's first day
    staff_id = IntegerField()
    service_id = IntegerField()
    status = CharField(max_length=20)
    cancel_channel = CharField(max_length=20, null=True)
    cancelled_by_kind = CharField(max_length=20, null=True)
    kind = CharField(max_length=30)
    refund_status = CharField(max_length=20, null=True)
    items = IntegerField()
    amount = IntegerField()

    class Meta:
        indexes = ((MONEY_MONTH_INDEX, False),)


class ReportDirty(BaseModel):
    """A start time whose day needs counting again: written by database triggers (migration
    0017) in the same transaction as any change to a booking or its workers."""
    starts_at = DateTimeField()


class ReportState(BaseModel):
    """One row: the timezone the summary's days are in (empty: build it from scratch)."""
    timezone = CharField(max_length=64)


class ReportOrderDay(BaseModel):
    """Cancelled orders counted per business day of their cancellation and per what the report
    groups them by; kept current like report_day (migration 0020's triggers, summary.py)."""
    day = DateField()  # the cancellation's day in the business timezone
    cancel_channel = CharField(max_length=20, null=True)
    cancelled_by_kind = CharField(max_length=20, null=True)
    cancel_reason_id = IntegerField(null=True)
    cancel_reason_label = CharField(max_length=80, null=True)
    cancel_stage = CharField(max_length=20, null=True)  # placed or processing
    orders = IntegerField()
    total = IntegerField()  # minor units, summed: the revenue the cancellations lost

    class Meta:
        indexes = ((("day",), False),)


class ReportOrderDirty(BaseModel):
    """A cancellation time whose day needs counting again (triggers, migration 0020)."""
    cancelled_at = DateTimeField()
