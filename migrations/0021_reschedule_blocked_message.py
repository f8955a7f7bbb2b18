"""The business's own words for "too late to reschedule online" (Settings › Customer Portal),
beside the cancellation notice's message; empty keeps the default wording."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column("settings", "reschedule_blocked_message",
                                         TextField(default="")))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("settings", "reschedule_blocked_message"))
