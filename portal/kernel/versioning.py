"""Optimistic locking: a row carries a `version`; a change names the version it was based on.

Every versioned change (bookings, orders, refunds) goes through `update_versioned`, so "someone
changed it since your page loaded" is decided the same way everywhere: the caller's expected
version is compared first, then the UPDATE itself only matches the version that was read. The
message is the caller's (it names the thing and says to reload); the code is always "stale".
"""
from flask_babel import gettext
from peewee import Node

from .compiled import Compiled
from .errors import Conflict

STALE_CODE = "stale"


def check_version(row, expected_version: int | None, stale_message: str) -> None:
    """Conflict unless `expected_version` (what the page was loaded with) is `row`'s version.
    None means the caller sent no version (an API client may leave it out): nothing to check."""
    if expected_version is not None and expected_version != row.version:
        raise Conflict(gettext(stale_message), STALE_CODE)


def update_versioned(row, expected_version: int | None, stale_message: str, **fields) -> None:
    """Write `fields` to `row` and bump its version, only if nobody changed it meanwhile.

    Callers hold the row (or its parent's) lock, so the guarded UPDATE matching nothing is
    belt and braces; it still refuses rather than overwrite a change. `row` keeps the values
    it was read with (callers record them as "before"); `apply_versioned` moves it along.
    """
    check_version(row, expected_version, stale_message)
    model = type(row)
    kept = _kept_update(model, tuple(fields), fields.values())
    if kept is None:
        changed = (model.update(version=model.version + 1, **fields)
                   .where((model.id == row.id) & (model.version == row.version))
                   .execute())
    else:  # each value as peewee would send it (a row's id for a foreign key, say)
        values = [model._meta.combined[name].db_value(value) for name, value in fields.items()]
        changed = kept.cursor(*values, row.id, row.version)[0].rowcount
    if changed != 1:
        raise Conflict(gettext(stale_message), STALE_CODE)


def apply_versioned(row, expected_version: int | None, stale_message: str, **fields) -> None:
    """`update_versioned`, then `row` holds what was written and its new version, so the
    caller needs no read-back (a query saved). `fields` are plain values, not SQL expressions
    (`count + 1` is known only to the database: read the row again for those)."""
    update_versioned(row, expected_version, stale_message, **fields)
    for name, value in fields.items():
        setattr(row, name, value)
    row.version += 1


# The guarded UPDATE's text, built once per model and set of fields changed (kernel/compiled.py):
# building it cost more than running it. None: a shape Compiled can't keep (peewee's own way).
_UPDATES = {}


def _kept_update(model, names, values):
    if any(isinstance(value, Node) for value in values) or not set(names) <= set(
            model._meta.combined):
        return None  # an SQL expression (count + 1), or a name peewee alone knows
    key = (model, names)
    kept = _UPDATES.get(key, False)
    if kept is False:
        def build(*marks):
            row_id, version = marks[len(names):]
            return (model.update(version=model.version + 1, **dict(zip(names, marks)))
                    .where((model.id == row_id) & (model.version == version)))
        kept = Compiled(build, len(names) + 2)
        try:
            kept.text()  # built now: does every value reach the SQL as given?
        except ValueError:
            kept = None
        _UPDATES[key] = kept
    return kept
