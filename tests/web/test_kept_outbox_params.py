"""The outbox's INSERT hands values db_value would return unchanged to the driver as given
(kernel/compiled.insert_params, as every kept INSERT does): the same parameters as peewee's
db_value for every field, whatever the value's type, and the same rows written."""
from datetime import datetime

from portal.kernel import compiled
from portal.messaging import outbox_insert
from portal.messaging.models import OutboxMessage

WHEN = datetime(2026, 12, 2, 9, 30, 15, 123456)
# a value of each kind a field may be given: the usual ones and the ones it converts
VALUES = ["text", "", "ünïcode", b"bytes", 7, 0, True, False, None, 3.5, WHEN,
          "2026-12-02 09:30:15", "12", "NULL"]

def test_given_params_are_db_values_for_every_field_and_value():
    fields = OutboxMessage._meta.sorted_fields
    columns = compiled.insert_columns(fields)
    for value in VALUES:
        rows = [{f.name: value for f in fields}, {f.name: value for f in fields}]
        try:
            expected = compiled.peewee_params(rows, fields)
        except (TypeError, ValueError):
            continue  # peewee refuses it too (db_value raises the same)
        got = compiled.insert_params(rows, columns)
        assert got == expected and [type(v) for v in got] == [type(v) for v in expected], value

def test_queued_rows_are_the_rows_insert_many_writes(app, world):
    def rows(tag):
        return [dict(dedupe_key=f"{tag}:{i}", to_address=f"{i}@example.com", subject=f"S{i}",
                     body_text="", body_html="", ics="", ics_method="CANCEL",
                     template="booking_cancelled", context='{"a":1}', status="pending",
                     next_attempt_at=WHEN, created_at=WHEN) for i in range(2)]
    for _ in range(2):  # the first builds the text, the second runs the kept one
        OutboxMessage.delete().where(OutboxMessage.dedupe_key.contains("t-")).execute()
        OutboxMessage.insert_many([{**outbox_insert._DEFAULTS, **r} for r in rows("t-peewee")]) \
            .on_conflict_ignore().execute()
        outbox_insert.insert_ignoring_queued(rows("t-kept"))
        written = {m.dedupe_key: {**m.__data__, "id": None, "dedupe_key": None}
                   for m in OutboxMessage.select().where(OutboxMessage.dedupe_key.contains("t-"))}
        assert len(written) == 4
        for i in range(2):
            assert written[f"t-kept:{i}"] == written[f"t-peewee:{i}"]
