"""Each customer's language (empty: not chosen yet, so the browser's or the business's), and
the business's default language for customers who have none and for anonymous pages."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("customer", "language", CharField(max_length=8, default="")),
        migrator.add_column("settings", "default_language", CharField(max_length=8, default="en")))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("settings", "default_language"),
                     migrator.drop_column("customer", "language"))
