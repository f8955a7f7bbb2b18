"""Products, orders and their items."""
import secrets

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField

from ..billing.models import Invoice
from ..kernel.clock import utcnow
from ..kernel.db import BaseModel
from ..kernel.i18n import N_
from ..people import Customer
from ..settings import CancellationReason

PLACED, PROCESSING, SHIPPED, COMPLETED, CANCELLED = (
    "placed", "processing", "shipped", "completed", "cancelled")
# Translated where shown (kernel/i18n.py)
STATUS_LABELS = {PLACED: N_("Placed"), PROCESSING: N_("Processing"), SHIPPED: N_("Shipped"),
                 COMPLETED: N_("Completed"), CANCELLED: N_("Cancelled")}
# The same alphabet as booking references: read out on the phone without 0/O or 1/I mix-ups.
REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_ref():
    return "OR-" + "".join(secrets.choice(REF_ALPHABET) for _ in range(6))


class Product(BaseModel):
    name = CharField(max_length=120)
    price = IntegerField()  # minor units
    stock = IntegerField(default=0)  # what is left to sell: placed orders already took theirs
    active = BooleanField(default=True)


class Order(BaseModel):
    ref = CharField(max_length=12, unique=True, default=new_ref)
    customer = ForeignKeyField(Customer, backref="orders", on_delete="CASCADE")
    status = CharField(max_length=20, default=PLACED, index=True)
    total = IntegerField(default=0)  # minor units, tax included, as invoiced when placed
    # The FK sits here, not on Invoice: an invoice belongs to a booking or to an order.
    invoice = ForeignKeyField(Invoice, null=True, backref="orders", on_delete="SET NULL")
    cancelled_at = DateTimeField(null=True)
    cancelled_by_kind = CharField(max_length=20, null=True)
    cancelled_by_id = IntegerField(null=True)
    cancel_channel = CharField(max_length=20, null=True)
    cancel_reason = ForeignKeyField(CancellationReason, null=True, backref="orders")
    cancel_reason_label = CharField(max_length=80, null=True)  # as it read when chosen
    cancel_note = CharField(max_length=255, null=True)
    cancel_stage = CharField(max_length=20, null=True)  # the status it was cancelled from
    version = IntegerField(default=1)
    created_at = DateTimeField(default=utcnow, index=True)

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def is_cancelled(self):
        return self.status == CANCELLED


class OrderItem(BaseModel):
    order = ForeignKeyField(Order, backref="items", on_delete="CASCADE")
    product = ForeignKeyField(Product, backref="order_items")
    quantity = IntegerField()
    unit_price = IntegerField()  # minor units, copied from the product when ordered
    # True while this line holds stock taken from product.stock; cancelling gives it back.
    reserved = BooleanField(default=False)

    @property
    def amount(self):
        return self.quantity * self.unit_price
