"""A Reader (kernel/row_objects.py) turns a datetime column's text into a datetime itself,
with datetime.fromisoformat, where peewee goes through DateTimeField.python_value: the two
must agree on every text a database may hand back, and on what is not text."""
from datetime import datetime, timedelta, timezone

import pytest
from peewee import DateTimeField

from portal.kernel.row_objects import _column_reader

FIELD = DateTimeField()
TEXTS = ["2026-12-02 14:07:00", "2026-12-02 14:07:00.123456", "2026-12-02 14:07:00.5",
         "2026-12-02T14:07:00", "2026-12-02", "2026-12-02 14:07", "2026-12-02 14:07:00+01:00",
         "2026-12-02 14:07:00.25-05:30", "2026-12-02T14:07:00Z", "2026-12-02 14:07:00Z",
         "20261202T140700", "", "not a date", "2026-13-02 14:07:00", "2026-12-02 25:00:00",
         "2026-12-02x14:07:00", "14:07:00"]
VALUES = [datetime(2026, 12, 2, 14, 7), datetime(2026, 12, 2, 14, 7, tzinfo=timezone.utc),
          datetime(2026, 12, 2) - timedelta(microseconds=1), 0, 1_700_000_000]


@pytest.mark.parametrize("value", TEXTS + VALUES)
def test_datetime_column_reads_as_peewee_reads_it(value):
    read, given = _column_reader(FIELD, FIELD.python_value)
    expected = FIELD.python_value(value)
    got = value if type(value) is given else read(value)
    assert got == expected
    assert type(got) is type(expected)
    assert getattr(got, "tzinfo", None) == getattr(expected, "tzinfo", None)


def test_a_field_with_its_own_conversion_keeps_peewee_s_way():
    class Stamp(DateTimeField):
        def python_value(self, value):
            return ("own", value)

    stamp = Stamp()
    assert _column_reader(stamp, stamp.python_value) == (stamp.python_value, None)
    assert _column_reader(FIELD, None) == (None, None)


@pytest.mark.parametrize("value", TEXTS + VALUES)
def test_a_reader_s_datetime_column_reads_as_peewee_reads_it(value):
    """Reader.read makes the fromisoformat try itself (row_objects._column): the same value,
    type and zone as peewee's python_value for every text and value above."""
    from peewee import Model

    from portal.kernel.row_objects import Reader, _column

    class Stamped(Model):
        at = DateTimeField(null=True)

    reader = object.__new__(Reader)
    reader.root, reader.extras, reader.links, reader.reachable = Stamped, (), (), {}
    reader.parts = ((Stamped, [_column(0, "at", Stamped.at, Stamped.at.python_value)]),)
    got, expected = reader.read((value,)).__data__["at"], FIELD.python_value(value)
    assert got == expected and type(got) is type(expected)
    assert getattr(got, "tzinfo", None) == getattr(expected, "tzinfo", None)
