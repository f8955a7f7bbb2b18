"""An outbox row may hold what to send instead of the message itself: a template name and a
small JSON of plain values, rendered by the worker when it sends (so a request that queues
email does not pay for rendering it)."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("outbox_message", "template", CharField(max_length=40, default="")),
        migrator.add_column("outbox_message", "context", TextField(default="")))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("outbox_message", "context"),
                     migrator.drop_column("outbox_message", "template"))
