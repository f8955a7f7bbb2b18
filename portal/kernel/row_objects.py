"""Rows made into the objects peewee makes of them, without peewee's cost per column.

Peewee turns each row into model objects through a setattr per column and a Model() per
object, most of a small query's Python cost. Compiled queries (kernel/compiled.py) read their
rows through a Reader where the query's shape allows; `instance` makes one object from values
already converted (a kept INSERT's row, a row read beside another statement's)."""
from datetime import datetime

from peewee import (DateTimeField, Field, FieldAccessor, ForeignKeyAccessor, ForeignKeyField,
                    IntegerField, ModelCursorWrapper, _StringField)

# python_value's result is the value itself when the driver already gave this type: int() of
# an int, a str kept as it is. Only for fields that keep peewee's own conversion.
_SAME_AS_GIVEN = {IntegerField.adapt: int, _StringField.adapt: str}


def _given_type(field):
    """The type whose values this field's python_value hands back unchanged, else None."""
    while isinstance(field, ForeignKeyField) and type(field).adapt is ForeignKeyField.adapt:
        field = field.rel_field
    if type(field).python_value is not Field.python_value:
        return None
    return _SAME_AS_GIVEN.get(type(field).adapt)


def _column_reader(field, converter):
    """(converter, the type it hands back unchanged) for one column of a Reader. A datetime
    column on SQLite comes as text, which peewee's DateTimeField turns into a datetime through
    python_value, adapt and format_date_time, whose first try is datetime.fromisoformat (with
    a space or a "Z" rewritten, both of which 3.11's fromisoformat reads the same): that try
    is made here directly, anything it refuses goes through python_value as before
    (tests/domain/test_row_objects_datetimes.py compares the two)."""
    if converter is None:
        return None, None
    kind = type(field)
    if (kind.adapt is DateTimeField.adapt and kind.python_value is Field.python_value
            and converter == field.python_value):
        return _datetime_from_text(converter), datetime
    return converter, _given_type(field)


def _datetime_from_text(python_value):
    def read(value):
        try:
            return datetime.fromisoformat(value)
        except (TypeError, ValueError):
            return python_value(value)
    read.fallback = python_value  # (Reader.read makes the try itself: see _column)
    return read


def _column(idx, name, field, converter):
    """One column of a Reader: (index, name, converter, the type it keeps as given, what to
    convert with when the converter refuses a value, or None to let it raise). A datetime
    column's converter is datetime.fromisoformat itself, the try _datetime_from_text makes
    written into Reader.read's loop (a Python call a datetime saved: a cancel reads ten)."""
    converter, given = _column_reader(field, converter)
    fallback = getattr(converter, "fallback", None)
    return (idx, name, datetime.fromisoformat if fallback else converter, given, fallback)


class Rows:
    """Rows in hand, read through peewee's cursor wrapper as if a cursor held them."""

    def __init__(self, rows, description):
        self.description, self._rows = description, iter(rows)

    def fetchone(self):
        return next(self._rows, None)

    def fetchall(self):
        return list(self._rows)

    def close(self):
        pass


def instance(model, data):
    """A model object from already converted column values, as peewee would make it from a
    row (without running every field's setter)."""
    obj = model.__new__(model)
    obj.__data__, obj._dirty, obj.__rel__ = dict(data), set(), {}
    return obj


def _key_copied(src, attr, dest):
    """The name of the key `dest` rows are linked by, when setting `attr` of a `src` object to
    a `dest` object is a plain ForeignKeyAccessor's (it copies that key into the object's data
    and keeps the object, the field then not dirty: read() does the same without the calls),
    else None: read() sets the attribute."""
    accessor = vars(src).get(attr) if isinstance(src, type) else None
    if type(accessor) is not ForeignKeyAccessor or accessor.name != attr or (
            accessor.rel_model is not dest):
        return None
    key = accessor.field.rel_field.name
    return key if type(vars(dest).get(key)) is FieldAccessor else None


class Reader:
    """Rows of a select over joined models turned into the objects peewee makes, without
    peewee's per-column setattr and Model() calls (most of a small query's Python cost): each
    model's columns go straight into a fresh object's data, then the objects are linked as
    peewee links them (ModelCursorWrapper.process_row, whose join analysis it reuses). Only
    for rows of plain model fields; anything else stays with peewee."""

    def __init__(self, wrapper, parts, extras):
        self.root, self.parts, self.extras = wrapper.model, parts, extras
        self.links = tuple((src, attr, dest, is_outer, is_fk, _key_copied(src, attr, dest))
                           for src, attr, dest, _is_dict, is_outer, is_fk in wrapper.src_to_dest)
        self.reachable = wrapper._dest_reachable

    @classmethod
    def of(cls, wrapper):
        if type(wrapper) is not ModelCursorWrapper:
            return None
        parts = {}
        for key, constructor, is_model in wrapper._constructor_list:
            if not is_model or key is not constructor:
                return None  # a dict or an alias: peewee's own way
            parts[key] = []
        # Selected values that are no field (a subquery's alias, say): peewee sets them as a
        # plain attribute of their model's object; so does read(), where the name is free.
        extras = []
        for idx, key, column, converter in wrapper._row_spec:
            field = key._meta.fields.get(column) if key in parts else None
            if field is None and key in parts and converter is None and not hasattr(key, column):
                extras.append((key, idx, column))
                continue
            accessor = type(getattr(key, "__dict__", {}).get(column))
            if field is None or accessor not in (FieldAccessor, ForeignKeyAccessor) or (
                    converter is not None and converter != field.python_value):
                return None
            parts[key].append(_column(idx, column, field, converter))
        return cls(wrapper, tuple(parts.items()), tuple(extras))

    def read(self, row):
        # (set_keys: the models with a value in the row, a dict so noting one is no call)
        objects, set_keys = {}, {}
        for model, columns in self.parts:
            data, any_set = {}, False
            for idx, name, converter, given, fallback in columns:
                value = row[idx]
                if value is None:
                    data[name] = None  # every python_value keeps None
                    continue
                any_set = True
                if converter is None or type(value) is given:
                    data[name] = value
                    continue
                try:
                    data[name] = converter(value)
                except (TypeError, ValueError):
                    if fallback is None:
                        raise
                    data[name] = fallback(value)
            if any_set:
                set_keys[model] = True
            obj = objects[model] = model.__new__(model)  # instance(model, data), written out
            obj.__data__, obj._dirty, obj.__rel__ = data, set(), {}
        for model, idx, name in self.extras:
            value = row[idx]
            if value is not None:
                set_keys[model] = True
            objects[model].__dict__[name] = value
        for src, attr, dest, is_outer, is_fk, key in self.links:
            if dest not in objects:
                continue
            target = objects[dest]
            assign = dest not in set_keys and bool(self.reachable.get(dest, frozenset())
                                                   & set_keys.keys())
            if dest not in set_keys and not assign:
                if not is_outer:
                    continue
                target = None
            if src not in set_keys and dest not in set_keys and is_outer:
                continue
            holder = objects[src]
            if is_fk and target is None:
                holder.__rel__[attr] = None  # a verified-absent row, its id kept
            elif key is not None and target is not None:  # ForeignKeyAccessor.__set__'s work
                data = target.__data__
                holder.__data__[attr] = data[key] if key in data else None
                holder.__rel__[attr] = target
            else:
                setattr(holder, attr, target)
                holder._dirty.discard(attr)
        return objects[self.root]


# (model, names) -> (((name, the key of its value in the row's data, or None), ...), any key)
_PLANS = {}


def field_values(row, names):
    """{name: getattr(row, name)} for `names` (a tuple), each plain field's value read straight
    from the row's data (FieldAccessor.__get__, a Python call a field, does just that: the
    value, or None when the row lacks it); any other attribute, or a row that is no model
    object, through getattr."""
    model = type(row)
    plan = _PLANS.get((model, names))
    if plan is None:
        keys = tuple((name, accessor.name if type(accessor) is FieldAccessor else None)
                     for name in names for accessor in (vars(model).get(name),))
        plan = _PLANS[(model, names)] = (keys, any(key for _, key in keys))
    keys, plain = plan
    data = row.__data__ if plain else None
    return {name: (data[key] if key in data else None) if key is not None  # (no call a field)
            else getattr(row, name) for name, key in keys}
