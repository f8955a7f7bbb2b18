"""One customer's bookings in time order, with their status: My bookings reads a window of
them without sorting all of that customer's bookings, and the admin customer list counts them
(and finds the next visit) from the index alone."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_index("booking", ("customer_id", "starts_at", "status"), False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("booking", "booking_customer_id_starts_at_status"))
