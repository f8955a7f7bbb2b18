"""Indexes the reports read instead of the booking rows: every booking of a period by start,
status, service and moves; a period's cancellations by status and start with what the report
groups them by. The second one starts with (status, starts_at), so it replaces that index."""
from peewee import *
from playhouse.migrate import make_index_name

CANCELLATIONS = ("status", "starts_at", "cancel_reason_label", "cancel_channel",
                 "cancelled_by_kind", "cancelled_at", "price", "service_id", "cancel_reason_id")


def up(migrator, db):
    migrator.migrate(
        migrator.add_index("booking", ("starts_at", "status", "service_id", "reschedule_count"),
                           False),
        migrator.drop_index("booking", "booking_status_starts_at"),
        migrator.add_index("booking", CANCELLATIONS, False))


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("booking", make_index_name("booking", CANCELLATIONS)),
        migrator.add_index("booking", ("status", "starts_at"), False),
        migrator.drop_index("booking", "booking_starts_at_status_service_id_reschedule_count"))
