"""A booking's invoice and its lines."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField

from ..bookings.models import Booking
from ..kernel.clock import utcnow
from ..kernel.db import BaseModel
from ..people import Customer

SERVICE, CANCELLATION_FEE, NO_SHOW_FEE = "service", "cancellation_fee", "no_show_fee"


class Invoice(BaseModel):
    # One per booking; orders get theirs in a later change, so the booking may be empty then.
    booking = ForeignKeyField(Booking, null=True, unique=True, backref="invoices",
                              on_delete="CASCADE")
    customer = ForeignKeyField(Customer, backref="invoices", on_delete="CASCADE")
    currency = CharField(max_length=3, default="USD")
    created_at = DateTimeField(default=utcnow)


class InvoiceLine(BaseModel):
    invoice = ForeignKeyField(Invoice, backref="lines", on_delete="CASCADE")
    kind = CharField(max_length=30)  # service, cancellation_fee, no_show_fee
    description = CharField(max_length=200)
    amount = IntegerField()  # minor units, before tax
    # The rate and tax as they were when the line was added: a later rate change must not
    # rewrite what a customer was already charged.
    tax_rate_bp = IntegerField(default=0)  # basis points: 825 is 8.25 %
    tax = IntegerField(default=0)
    created_at = DateTimeField(default=utcnow)


class Payment(BaseModel):
    """Money received against an invoice (a deposit or the whole)."""
    invoice = ForeignKeyField(Invoice, backref="payments", on_delete="CASCADE")
    amount = IntegerField()  # minor units, > 0
    method = CharField(max_length=20)  # card, cash, bank_transfer, other
    reference = CharField(max_length=120, default="")
    recorded_by_kind = CharField(max_length=20)
    recorded_by_id = IntegerField(null=True)
    recorded_by_label = CharField(max_length=160, default="")
    created_at = DateTimeField(default=utcnow)


REQUESTED, APPROVED, REJECTED, PROCESSED = "requested", "approved", "rejected", "processed"


class Refund(BaseModel):
    """A refund from request to decision to payout; every step is also an audit event."""
    invoice = ForeignKeyField(Invoice, backref="refunds", on_delete="CASCADE")
    amount = IntegerField()  # minor units, > 0
    reason = CharField(max_length=255, default="")
    status = CharField(max_length=20, default=REQUESTED, index=True)
    requested_by_kind = CharField(max_length=20)
    requested_by_id = IntegerField(null=True)
    requested_by_label = CharField(max_length=160, default="")
    requested_at = DateTimeField(default=utcnow)
    decided_by_id = IntegerField(null=True)
    decided_by_label = CharField(max_length=160, default="")
    decided_at = DateTimeField(null=True)
    decision_note = CharField(max_length=255, default="")
    processed_reference = CharField(max_length=120, default="")
    processed_at = DateTimeField(null=True)
    version = IntegerField(default=1)


class FeeTier(BaseModel):
    """Late-cancellation fee by notice: cancelling with less than `under_hours` notice (and at
    least the next tier's) costs a flat amount or a percentage of the booking's price."""
    under_hours = IntegerField()  # the tier applies when notice < under_hours
    kind = CharField(max_length=10)  # flat or percent
    flat_amount = IntegerField(default=0)  # minor units, kind == flat
    percent_bp = IntegerField(default=0)  # basis points of the price, kind == percent

    class Meta:
        indexes = ((("under_hours",), True),)
