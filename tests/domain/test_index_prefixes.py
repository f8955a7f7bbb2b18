"""No table the customer's cancel writes keeps an index whose columns are the leading columns of
a wider index on it (migration 0033): the wider index serves each of its lookups, and every
row written (on PostgreSQL every booking UPDATE, which is not HOT) paid for one more entry.
Three such indexes stay, each for a reason below."""
from peewee import SqliteDatabase

from portal.models import ALL_MODELS

# What a cancel writes: the booking, and the notices, webhook deliveries, audit event, emails
# and invoice line it queues (slot_claim only loses rows).
CANCEL_WRITES = {"booking", "notification", "webhook_delivery", "audit_event", "outbox_message",
                 "invoice_line"}


# On SQLite an index ends with the rowid: (starts_at) gives the booking lists' ORDER BY
# starts_at, id and (integration_id) an integration's deliveries ORDER BY id DESC without a
# sort or a scan of the table; the wider index beside each does not. On PostgreSQL the admin
# list's search within a status reads (status) faster than the 9-column cancellations index.
# (EXPLAIN at 100,000 bookings, migration 0033.)
KEPT = {("booking", ("starts_at",), ("starts_at", "status", "service_id", "reschedule_count")),
        ("booking", ("status",), ("status", "starts_at", "cancel_reason_label", "cancel_channel",
                                  "cancelled_by_kind", "cancelled_at", "price", "service_id",
                                  "cancel_reason_id")),
        ("webhook_delivery", ("integration_id",), ("integration_id", "created_at"))}


def _prefix_indexes(db, table):
    """(table, narrow, wide) for each index whose columns lead a wider one's (the columns, as
    index names differ between a migrated schema and one made from the models); a unique index
    is a constraint and stays, and a partial one (WHERE) serves only some rows, so never covers."""
    indexes = [i for i in db.get_indexes(table) if None not in i.columns]
    full = [i for i in indexes if " where " not in (i.sql or "").lower()]
    return [(table, tuple(narrow.columns), tuple(wide.columns))
            for narrow in indexes if not narrow.unique
            for wide in full
            if wide is not narrow and len(wide.columns) > len(narrow.columns)
            and wide.columns[:len(narrow.columns)] == narrow.columns]


def test_no_index_on_what_a_cancel_writes_is_a_prefix_of_another():
    db = SqliteDatabase(":memory:")
    with db.bind_ctx(ALL_MODELS):
        db.create_tables(ALL_MODELS)
        tables = {m._meta.table_name for m in ALL_MODELS}
        assert CANCEL_WRITES <= tables
        found = {pair for t in CANCEL_WRITES for pair in _prefix_indexes(db, t)}
        assert found == KEPT
    db.close()


def test_the_check_finds_a_prefix_index():
    """The check itself: a narrow index under a wider one is found, a unique one is not."""
    db = SqliteDatabase(":memory:")
    db.execute_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, c INTEGER)")
    db.execute_sql("CREATE INDEX t_a ON t (a)")
    db.execute_sql("CREATE UNIQUE INDEX t_b ON t (b)")
    db.execute_sql("CREATE INDEX t_a_c ON t (a, c)")
    db.execute_sql("CREATE INDEX t_b_a ON t (b, a)")
    db.execute_sql("CREATE INDEX t_c_a ON t (c, a) WHERE c > 0")
    db.execute_sql("CREATE INDEX t_c ON t (c)")
    assert _prefix_indexes(db, "t") == [("t", ("a",), ("a", "c"))]
    db.close()
