"""Apply the numbered migrations in migrations/ (Peewee 4's runner)."""
from playhouse.migrations import Runner

from .config import ROOT
from .db import database

MIGRATIONS = ROOT / "migrations"


def upgrade():
    """Apply pending migrations; returns their names."""
    return Runner(database.obj, str(MIGRATIONS)).up()
