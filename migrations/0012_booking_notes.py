"""Notes on a booking: what the office tells the fieldworker (gate code, pets, parking)."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column("booking", "notes", TextField(default="")))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("booking", "notes"))
