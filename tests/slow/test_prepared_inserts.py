"""Kept INSERTs (kernel.compiled.insert_rows) are prepared once per connection on PostgreSQL
(kernel/statements.py), and psycopg2 decodes column names through the C UTF-8 codec
(kernel/db.py): each must do what the plain path does (same rows, same log line, same errors),
also after a rollback and on a connection of its own. On SQLite the same INSERTs run as
plain text; the tests that compare rows run there too."""
import codecs

import psycopg2
import psycopg2.extensions
import pytest

import peewee
from portal.billing.models import Invoice, InvoiceLine
from portal.kernel.compiled import insert_rows
from portal.kernel.db import DIRECT_UTF8, database, is_postgres
from portal.kernel.db import _decode_utf8_directly as decode_utf8_directly
from tests.support.queries import statements


def _lines(invoice, tag, n=2, **extra):
    return [{"invoice": getattr(invoice, "id", invoice), "kind": "fee", "description": f"{tag} {i} ä€",
             "amount": 100 * i, "tax_rate_bp": 0, "tax": 0, **extra} for i in range(n)]


def _stored(invoice, tag):
    return sorted((line.description.replace(tag, ""), line.amount, line.kind, line.tax)
                  for line in InvoiceLine.select().where(
                      (InvoiceLine.invoice == invoice.id)
                      & InvoiceLine.description.startswith(tag)))


def _prepared_inserts(table="invoice_line"):
    return {name: text for name, text in database.execute_sql(
        "SELECT name, statement FROM pg_prepared_statements WHERE name LIKE %s",
        ["rebook_insert_%"]) if f'"{table}"' in text}


def test_a_kept_insert_writes_and_logs_what_peewee_does(app, world):
    invoice = Invoice.create(booking=world.upcoming.id, customer=world.customer.id)
    for run in range(3):  # the first builds (and prepares) the text, the next run the kept one
        InvoiceLine.insert_many(_lines(invoice, f"peewee{run}")).execute()
        with statements() as ran:
            last = insert_rows(InvoiceLine, _lines(invoice, f"kept{run}"))
        assert last == InvoiceLine.select().order_by(InvoiceLine.id.desc()).first().id
        assert _stored(invoice, f"kept{run}") == _stored(invoice, f"peewee{run}")
        [(sql, params)] = ran  # one statement in the log: the INSERT itself, not an EXECUTE
        assert sql.startswith('INSERT INTO "invoice_line"') and len(params) == 14
    if is_postgres():
        [text] = _prepared_inserts().values()
        assert "$14" in text and "%s" not in text


def test_a_kept_insert_outlives_a_rollback_and_each_connection_prepares_its_own(app, world):
    prepared = _prepared_inserts if is_postgres() else dict  # SQLite prepares nothing
    invoice = Invoice.create(booking=world.upcoming.id, customer=world.customer.id)
    before = set(prepared())
    with database.atomic() as txn:  # prepared inside a transaction that is rolled back
        insert_rows(InvoiceLine, _lines(invoice, "undone", n=3))
        txn.rollback()
    assert _stored(invoice, "undone") == []
    three = set(prepared()) - before  # the three-row INSERT, still prepared on PostgreSQL
    assert len(three) == (1 if is_postgres() else 0)
    insert_rows(InvoiceLine, _lines(invoice, "after", n=3))  # run as it is
    assert set(prepared()) - before == three and len(_stored(invoice, "after")) == 3
    database.close()  # back to the pool, and ended there: the next one prepares it again
    if is_postgres():
        database.close_idle()
    database.connect()
    assert prepared() == {}
    insert_rows(InvoiceLine, _lines(invoice, "fresh", n=3))
    assert set(prepared()) == three and len(_stored(invoice, "fresh")) == 3


def test_a_kept_insert_fails_as_peewee_does(app, world):
    invoice = Invoice.create(booking=world.upcoming.id, customer=world.customer.id)
    missing = _lines(invoice.id + 1000, "gone", n=1)  # no such invoice
    too_long = _lines(invoice, "long", n=1, kind="x" * 31)  # varchar(30): PostgreSQL checks
    for rows in [too_long, missing] if is_postgres() else [missing]:
        insert_rows(InvoiceLine, _lines(invoice, "ok", n=1))  # kept and prepared already
        errors = []
        for insert in (lambda: InvoiceLine.insert_many(rows).execute(),
                       lambda: insert_rows(InvoiceLine, rows)):
            with pytest.raises(peewee.PeeweeException) as raised, database.atomic():
                insert()
            errors.append((type(raised.value), str(raised.value).split("\n")[0]))
        assert errors[0] == errors[1]
    assert errors[0][0] is peewee.IntegrityError  # the last: the missing invoice


def test_column_names_and_messages_decode_as_with_pythons_own_utf8(app, database_url):
    decode_utf8_directly()  # as opening a PostgreSQL database does (once per process)
    direct = codecs.lookup(DIRECT_UTF8)
    for raw in (b"", b"id", "größe €".encode(), "naïve 日本 \U0001f600".encode()):
        assert direct.decode(raw) == codecs.lookup("utf-8").decode(raw)
    with pytest.raises(UnicodeDecodeError):
        direct.decode(b"\xff")
    if not is_postgres():
        return  # (the rest reads from a PostgreSQL server)
    assert psycopg2.extensions.encodings["UTF8"] == DIRECT_UTF8  # what the app's connections use
    query = """SELECT 1 AS "größe €", 'ü'::text AS "naïve" """

    def read(codec):
        psycopg2.extensions.encodings["UTF8"] = codec
        conn = psycopg2.connect(database_url)
        try:
            assert conn.encoding == "UTF8"
            cursor = conn.cursor()
            cursor.execute(query)
            got = [cursor.description, cursor.fetchall(), cursor.statusmessage]
            with pytest.raises(psycopg2.Error) as raised:
                cursor.execute("SELECT 'äöü'::int")
            return got + [str(raised.value), raised.value.pgerror]
        finally:
            conn.close()
            psycopg2.extensions.encodings["UTF8"] = DIRECT_UTF8

    plain = read("utf_8")
    assert read(DIRECT_UTF8) == plain
    assert [c.name for c in plain[0]] == ["größe €", "naïve"] and "äöü" in plain[3]
