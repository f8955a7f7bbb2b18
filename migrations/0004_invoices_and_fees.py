"""Invoices and their lines; no-show fee and tax rate on Settings; a session epoch on
customers and staff (bumping it ends their sessions); an index for the admin list's status + time filters."""
from peewee import *


def up(migrator, db):
    class Customer(Model):
        class Meta:
            database = db
            table_name = "customer"

    class Booking(Model):
        class Meta:
            database = db
            table_name = "booking"

    class Invoice(Model):
        booking = ForeignKeyField(Booking, null=True, unique=True, on_delete="CASCADE")
        customer = ForeignKeyField(Customer, on_delete="CASCADE")
        currency = CharField(max_length=3, default="USD")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "invoice"

    class InvoiceLine(Model):
        invoice = ForeignKeyField(Invoice, on_delete="CASCADE")
        kind = CharField(max_length=30)
        description = CharField(max_length=200)
        amount = IntegerField()
        tax_rate_bp = IntegerField(default=0)
        tax = IntegerField(default=0)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "invoice_line"

    db.create_tables([Invoice, InvoiceLine])
    migrator.migrate(
        migrator.add_column("settings", "no_show_fee", IntegerField(default=0)),
        migrator.add_column("settings", "tax_rate_bp", IntegerField(default=0)),
        migrator.add_column("customer", "session_epoch", IntegerField(default=0)),
        migrator.add_column("staff", "session_epoch", IntegerField(default=0)),
        migrator.add_index("booking", ("status", "starts_at"), False),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_index("booking", "booking_status_starts_at"),
                     migrator.drop_column("staff", "session_epoch"),
                     migrator.drop_column("customer", "session_epoch"),
                     migrator.drop_column("settings", "tax_rate_bp"),
                     migrator.drop_column("settings", "no_show_fee"))
    migrator.migrate(migrator.drop_table("invoice_line"), migrator.drop_table("invoice"))
