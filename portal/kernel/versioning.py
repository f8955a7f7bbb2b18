"""Optimistic locking: a row carries a `version`; a change names the version it was based on.

Every versioned change (bookings, orders, refunds) goes through `update_versioned`, so "someone
changed it since your page loaded" is decided the same way everywhere: the caller's expected
version is compared first, then the UPDATE itself only matches the version that was read. The
message is the caller's (it names the thing and says to reload); the code is always "stale".
"""
from flask_babel import gettext
from peewee import FieldAccessor, Node

from .compiled import Compiled, insert_columns
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
    _update(row, expected_version, stale_message, fields)


def _update(row, expected_version, stale_message, fields):
    """update_versioned; returns the kept UPDATE it ran (None: peewee's own way)."""
    check_version(row, expected_version, stale_message)
    model = type(row)
    kept = _kept_update(model, tuple(fields))
    values = kept.values(fields.values()) if kept is not None else None
    if values is None:
        changed = (model.update(version=model.version + 1, **fields)
                   .where((model.id == row.id) & (model.version == row.version))
                   .execute())
    else:
        changed = kept.query.cursor(*values, row.id, row.version)[0].rowcount
    if changed != 1:
        raise Conflict(gettext(stale_message), STALE_CODE)
    return kept


def apply_versioned(row, expected_version: int | None, stale_message: str, **fields) -> None:
    """`update_versioned`, then `row` holds what was written and its new version, so the
    caller needs no read-back (a query saved). `fields` are plain values, not SQL expressions
    (`count + 1` is known only to the database: read the row again for those)."""
    kept = _update(row, expected_version, stale_message, fields)
    plain = kept.plain if kept is not None else ()
    if plain:  # what each field's own setter does (FieldAccessor.__set__), without a call each
        row.__data__.update({name: fields[name] for name in plain})
        row._dirty.update(plain)
    for name, value in fields.items():
        if name not in plain:
            setattr(row, name, value)
    row.version += 1


class _KeptUpdate:
    """The guarded UPDATE of one model and set of fields: its text built once (kernel/compiled.py:
    building it cost more than running it), and how each value reaches it."""

    def __init__(self, model, names):
        def build(*marks):
            row_id, version = marks[len(names):]
            return (model.update(version=model.version + 1, **dict(zip(names, marks)))
                    .where((model.id == row_id) & (model.version == version)))
        self.query = Compiled(build, len(names) + 2)
        self.query.text()  # built now: ValueError unless every value reaches the SQL as given
        # each value as peewee would send it (a row's id for a foreign key, say); the types
        # its field would hand over unchanged are passed as they are (compiled.insert_params)
        fields = [model._meta.combined[name] for name in names]
        self.columns = [(given, db_value) for _, given, db_value in insert_columns(fields)]
        # the fields set with a plain FieldAccessor (a foreign key's setter does more)
        self.plain = frozenset(name for name in names
                               if type(vars(model).get(name)) is FieldAccessor)

    def values(self, values):
        """The values as the UPDATE takes them, or None when one is an SQL expression
        (`count + 1`): that UPDATE is left to peewee. (A comprehension: the values a field
        hands over unchanged, most of them, cost no call; a loop cost an append each.)"""
        try:
            return [value if type(value) in given else _converted(value, db_value)
                    for value, (given, db_value) in zip(values, self.columns)]
        except _Expression:
            return None


class _Expression(Exception):
    """A value is an SQL expression: the kept UPDATE can't take it."""


def _converted(value, db_value):
    if isinstance(value, Node):
        raise _Expression
    return db_value(value)


# The kept UPDATE per model and set of fields changed. None: a shape Compiled can't keep
# (peewee's own way).
_UPDATES = {}


def _kept_update(model, names):
    key = (model, names)
    kept = _UPDATES.get(key, False)
    if kept is False:
        kept = None
        if set(names) <= set(model._meta.combined):  # else a name peewee alone knows
            try:
                kept = _KeptUpdate(model, names)
            except ValueError:
                pass
        _UPDATES[key] = kept
    return kept
