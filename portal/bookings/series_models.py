"""A recurring series: the rule its bookings were made from. Each occurrence is a Booking of
its own (reference, invoice, slot claims, reminders) pointing back here with its position."""
from peewee import CharField, DateField, DateTimeField, IntegerField

from ..kernel.clock import utcnow
from ..kernel.db import BaseModel

WEEKLY, MONTHLY = "weekly", "monthly"


class BookingSeries(BaseModel):
    kind = CharField(max_length=10)             # weekly: every `interval` weeks; monthly: nth weekday
    interval = IntegerField(default=1)          # weeks between visits (weekly only), 1-4
    until = DateField(null=True)                # last local day a visit may fall on, or
    count = IntegerField(null=True)             # how many visits were asked for
    first_starts_at = DateTimeField()           # UTC; its local wall-clock time is kept
    timezone = CharField(max_length=64)         # the business's, when the series was made
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "booking_series"
