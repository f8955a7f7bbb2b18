"""Services, bookings and who is assigned to them."""
import secrets

from peewee import SQL, BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from ..integrations.models import Integration
from ..kernel.clock import utcnow
from ..kernel.db import BaseModel
from ..kernel.i18n import N_
from ..people import Customer, Staff
from ..settings import CancellationReason
from .series_models import BookingSeries

SCHEDULED, COMPLETED, CANCELLED, NO_SHOW = "scheduled", "completed", "cancelled", "no_show"
# Translated where shown (kernel/i18n.py)
STATUS_LABELS = {SCHEDULED: N_("Scheduled"), COMPLETED: N_("Completed"),
                 CANCELLED: N_("Cancelled"), NO_SHOW: N_("No-show")}
# No ambiguous characters (0/O, 1/I) in references people read out on the phone.
REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_ref():
    return "BK-" + "".join(secrets.choice(REF_ALPHABET) for _ in range(6))


class Service(BaseModel):
    name = CharField(max_length=120)
    duration_minutes = IntegerField()
    price = IntegerField()  # minor units
    active = BooleanField(default=True)


class Booking(BaseModel):
    ref = CharField(max_length=12, unique=True, default=new_ref)
    # Not indexed alone: (customer, starts_at, status) below starts with it (migration 0033).
    customer = ForeignKeyField(Customer, backref="bookings", on_delete="CASCADE", index=False)
    service = ForeignKeyField(Service, backref="bookings")
    # UTC. Indexed alone although (starts_at, status, ...) below starts with it: on SQLite an
    # index ends with the rowid, so this one also gives ORDER BY starts_at, id (the lists'
    # order) without sorting; the wider one does not (EXPLAIN, migration 0033).
    starts_at = DateTimeField(index=True)
    ends_at = DateTimeField()
    address = TextField(default="")
    notes = TextField(default="")  # for the fieldworker: gate code, pets, parking
    price = IntegerField()  # minor units, copied from the service when booked
    # Indexed alone although the cancellations index below starts with it: on PostgreSQL the
    # admin list's search within a status read the wider index for a tenth longer (0033).
    status = CharField(max_length=20, default=SCHEDULED, index=True)
    cancelled_at = DateTimeField(null=True)
    cancelled_by_kind = CharField(max_length=20, null=True)
    cancelled_by_id = IntegerField(null=True)
    cancel_channel = CharField(max_length=20, null=True)
    cancel_reason = ForeignKeyField(CancellationReason, null=True, backref="bookings")
    cancel_reason_label = CharField(max_length=80, null=True)  # as it read when chosen
    cancel_note = CharField(max_length=255, null=True)
    reschedule_count = IntegerField(default=0)
    version = IntegerField(default=1)
    created_at = DateTimeField(default=utcnow)
    # Set when an outside system made or owns the booking: its id for it there.
    integration = ForeignKeyField(Integration, null=True, backref="bookings", on_delete="SET NULL",
                                  index=False)  # (integration, external_ref) starts with it
    external_ref = CharField(max_length=120, null=True)
    # An occurrence of a recurring series (bookings/series.py), and its place in it (1, 2, ...).
    series = ForeignKeyField(BookingSeries, null=True, backref="bookings", on_delete="SET NULL")
    series_position = IntegerField(null=True)

    class Meta:
        # The admin list filters by status and pages by time (Upcoming, Cancelled, No-show).
        # The two wide indexes let the reports read a period from the index alone (measured:
        # 400 -> 250 ms for 100,000 bookings at once); their leading columns also serve the
        # admin list's status + time filters and every lookup by time.
        indexes = ((("integration", "external_ref"), True),
                   # every booking in a period: by status, service, moves
                   (("starts_at", "status", "service", "reschedule_count"), False),
                   # a period's cancellations: reason, channel, who, notice, price
                   (("status", "starts_at", "cancel_reason_label", "cancel_channel",
                     "cancelled_by_kind", "cancelled_at", "price", "service",
                     "cancel_reason"), False),
                   # one customer's bookings by time: My bookings' window, the customer list
                   (("customer", "starts_at", "status"), False))

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def is_cancelled(self):
        return self.status == CANCELLED


# Bookings with a cancellation note: the report's "Other" notes (migration 0031). The index is
# partial, so it holds only them, and it has every column the notes are filtered and ordered
# by, so a period's newest are picked from it alone before any booking row is read. A query
# uses it by saying NOTED itself, with the literal: SQLite matches a partial index's WHERE
# against literals only, and PostgreSQL then needs no cancel_note from the table. It starts
# with status as the wide cancellations index does: starting with the time, SQLite preferred
# that one (status = ? and the period) and read every cancellation of the period.
NOTED = Booking.cancel_note > SQL("''")
Booking.add_index(Booking.index(
    Booking.status, Booking.starts_at, Booking.cancel_reason, Booking.cancelled_at,
    Booking.service, Booking.cancel_channel, Booking.cancelled_by_kind, Booking.id,
    name="booking_noted_cancellations").where(NOTED))


class Assignment(BaseModel):
    booking = ForeignKeyField(Booking, backref="assignments", on_delete="CASCADE")
    staff = ForeignKeyField(Staff, backref="assignments")

    class Meta:
        indexes = ((("booking", "staff"), True),)


class CustomerBookingCount(BaseModel):
    """How many bookings a customer has: kept by database triggers (migration 0027) in the
    same transaction as every booking insert, delete or change of customer, so Admin ›
    Customers reads the count instead of counting each customer's bookings. Read-only here:
    saving it from Python could write back a count older than the triggers' latest."""
    customer_id = IntegerField(primary_key=True)
    bookings = IntegerField()

    class Meta:
        table_name = "customer_booking_count"
