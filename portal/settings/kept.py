"""Rows a process keeps between requests while the settings row's cache_stamp stays the same:
the fee tiers and the webhook subscribers, which every cancellation needs and which change a
few times a year.

The database gives settings.cache_stamp a new random value in the same transaction as any
change to those tables (migration 0028's triggers), and every request reads the settings row
anyway (with the logged-in person). So a request holding the stamp S uses what was kept under
S, and one that finds another stamp reads the rows again, whichever process or server made
the change. A miss reads the rows and the stamp in one statement and keeps them under that
stamp, so what is kept under a stamp is always what the tables held while it was current.
An empty stamp (a row from before migration 0028, say) keeps nothing.
"""
from peewee import JOIN, fn

from ..kernel.row_objects import instance
from . import Settings


class Kept:
    """`Kept(Integration, Integration.active, Integration.id)`; then `rows(settings)`: the
    model's rows meeting the condition, in that order, kept while settings.cache_stamp is
    unchanged. `settings` None reads them each time."""

    def __init__(self, model, condition=None, *order_by):
        self.model, self.condition, self.order_by = model, condition, order_by
        self._kept = ("", [])

    def rows(self, settings=None):
        stamp = getattr(settings, "cache_stamp", "") if settings is not None else ""
        kept_stamp, rows = self._kept
        if stamp and stamp == kept_stamp:
            return rows
        stamp, rows = self._read()
        if stamp:
            self._kept = (stamp, rows)  # one tuple: a thread reading it sees both or neither
        return rows

    def _on(self):
        present = self.model._meta.primary_key.is_null(False)  # every row, or the empty one
        return present if self.condition is None else present & self.condition

    def _read(self):
        """(stamp, rows) in one statement: the settings row with each matching row beside it
        (one row, the model's columns empty, when none match)."""
        model = self.model
        fields = model._meta.sorted_fields
        first = Settings.select(fn.MIN(Settings.id))
        query = (Settings.select(Settings.cache_stamp, *fields)
                 .join(model, JOIN.LEFT_OUTER, on=self._on())
                 .where(Settings.id == first).order_by(*self.order_by).tuples())
        raw = list(query)
        if not raw:  # no settings row yet: the rows alone, kept under no stamp
            return "", list(model.select().where(self._on()).order_by(*self.order_by))
        rows = []
        for values in raw:
            if values[1] is None:
                continue
            rows.append(instance(model, {f.name: v for f, v in zip(fields, values[1:])}))
        return raw[0][0] or "", rows
