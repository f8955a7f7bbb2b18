"""A booking's invoice and its lines."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField

from ..bookings.models import Booking
from ..db import BaseModel
from ..people import Customer, utcnow

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
