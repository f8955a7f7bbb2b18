"""When work can happen: working hours, blocked time, who does which service, and the slot
claims that make double-booking a fieldworker impossible in the database itself."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField

from ..kernel.clock import utcnow
from ..kernel.db import BaseModel
from ..people import Staff
from .models import Booking, Service

# Claims are kept on a fixed 15-minute grid, whatever step the booking page offers
# (15, 30 or 60 minutes, all multiples of it), so changing the step never strands a claim.
CLAIM_MINUTES = 15


class WorkingHours(BaseModel):
    """One span of a weekday, in the business timezone's wall-clock minutes. Rows without a
    fieldworker are the business's hours; a fieldworker with rows of their own works only
    inside those (and inside the business's)."""
    staff = ForeignKeyField(Staff, null=True, backref="working_hours", on_delete="CASCADE")
    weekday = IntegerField()  # 0 Monday .. 6 Sunday
    start_minute = IntegerField()  # minutes after local midnight
    end_minute = IntegerField()

    class Meta:
        indexes = ((("staff", "weekday"), False),)


class BlockedTime(BaseModel):
    """Holidays, breaks, training: nobody (or one fieldworker) can be booked in it."""
    staff = ForeignKeyField(Staff, null=True, backref="blocked_times", on_delete="CASCADE")
    starts_at = DateTimeField(index=True)  # UTC
    ends_at = DateTimeField()
    reason = CharField(max_length=120, default="")
    created_at = DateTimeField(default=utcnow)


class ServiceStaff(BaseModel):
    """Fieldworkers qualified for a service; a service with none is open to every fieldworker."""
    service = ForeignKeyField(Service, backref="qualified", on_delete="CASCADE")
    staff = ForeignKeyField(Staff, backref="services", on_delete="CASCADE")

    class Meta:
        indexes = ((("service", "staff"), True),)


class SlotClaim(BaseModel):
    """One 15-minute cell of a fieldworker's time held by a scheduled booking. The unique
    (staff, slot_start) index is what lets exactly one of two racing requests win."""
    staff = ForeignKeyField(Staff, on_delete="CASCADE")
    booking = ForeignKeyField(Booking, backref="claims", on_delete="CASCADE")
    slot_start = DateTimeField()  # UTC, on the CLAIM_MINUTES grid

    class Meta:
        indexes = ((("staff", "slot_start"), True),)
