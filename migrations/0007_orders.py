"""Products, orders and order items; an order's invoice hangs off the order."""
from peewee import *


def up(migrator, db):
    class Customer(Model):
        class Meta:
            database = db
            table_name = "customer"

    class Invoice(Model):
        class Meta:
            database = db
            table_name = "invoice"

    class CancellationReason(Model):
        class Meta:
            database = db
            table_name = "cancellation_reason"

    class Product(Model):
        name = CharField(max_length=120)
        price = IntegerField()
        stock = IntegerField(default=0)
        active = BooleanField(default=True)

        class Meta:
            database = db
            table_name = "product"

    class Order(Model):
        ref = CharField(max_length=12, unique=True)
        customer = ForeignKeyField(Customer, on_delete="CASCADE")
        status = CharField(max_length=20, default="placed", index=True)
        total = IntegerField(default=0)
        invoice = ForeignKeyField(Invoice, null=True, on_delete="SET NULL")
        cancelled_at = DateTimeField(null=True)
        cancelled_by_kind = CharField(max_length=20, null=True)
        cancelled_by_id = IntegerField(null=True)
        cancel_channel = CharField(max_length=20, null=True)
        cancel_reason = ForeignKeyField(CancellationReason, null=True)
        cancel_reason_label = CharField(max_length=80, null=True)
        cancel_note = CharField(max_length=255, null=True)
        version = IntegerField(default=1)
        created_at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = "order"

    class OrderItem(Model):
        order = ForeignKeyField(Order, on_delete="CASCADE")
        product = ForeignKeyField(Product)
        quantity = IntegerField()
        unit_price = IntegerField()
        reserved = BooleanField(default=False)

        class Meta:
            database = db
            table_name = "order_item"

    db.create_tables([Product, Order, OrderItem])


def down(migrator, db):
    for table in ("order_item", "order", "product"):
        migrator.migrate(migrator.drop_table(table))
