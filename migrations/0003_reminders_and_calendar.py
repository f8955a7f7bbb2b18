"""Reminder lead time on Settings; a calendar (.ics) part on outbox messages."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("settings", "reminder_hours", IntegerField(default=24)),
        migrator.add_column("outbox_message", "ics", TextField(default="")),
        migrator.add_column("outbox_message", "ics_method", CharField(max_length=10, default="")),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("outbox_message", "ics_method"),
        migrator.drop_column("outbox_message", "ics"),
        migrator.drop_column("settings", "reminder_hours"),
    )
