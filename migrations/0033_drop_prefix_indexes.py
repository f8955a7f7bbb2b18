"""Three indexes whose columns are the leading columns of a wider index on the same table, so
every lookup they served the wider one serves as well (checked with EXPLAIN on SQLite and
PostgreSQL at 100,000 bookings, docs/PERFORMANCE.md): a booking's customer and integration,
and a staff member's notices. Each was one more index entry written by every booking insert
and every cancel (PostgreSQL's UPDATE of a booking is not HOT: the cancel changes indexed
columns, so it writes an entry into every index of the table) and by each notice the cancel
queues. The app deletes no customer, integration or staff member, and the wider index starts
with the same column for the foreign key's check if it did.

Three prefix indexes stay. On SQLite an index ends with the rowid, so booking (starts_at)
gives ORDER BY starts_at, id (the booking lists) and webhook_delivery (integration_id) an
integration's deliveries ORDER BY id DESC without a sort or a scan of the table; the wider
indexes do not. On PostgreSQL the admin list's search within a status (say Cancelled and a
name) read the 9-column cancellations index instead of booking (status) for about a tenth
longer.
"""
from peewee import *

DROPPED = (("booking", "booking_customer_id", ("customer_id",)),
           ("booking", "booking_integration_id", ("integration_id",)),
           ("notification", "notification_staff_id", ("staff_id",)))


def up(migrator, db):
    migrator.migrate(*(migrator.drop_index(table, name) for table, name, _ in DROPPED))


def down(migrator, db):
    migrator.migrate(*(migrator.add_index(table, columns, False)
                       for table, _, columns in DROPPED))
