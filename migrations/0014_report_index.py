"""An index the reports scan instead of the booking rows: start, status, service, moves."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_index(
        "booking", ("starts_at", "status", "service_id", "reschedule_count"), False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index(
        "booking", "booking_starts_at_status_service_id_reschedule_count"))
