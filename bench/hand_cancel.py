"""A cancel written by hand: a bare Flask app that sends the database exactly what Rebook's
customer cancel POST sends, and nothing else. bench/cancel_served.py serves it beside Rebook and
a bare hello, to tell the database's share of a cancel from the app's.

capture() runs one real cancel through Rebook in-process and keeps, in order, every statement
it ran with its values (the session's read, the locked read, the reads after the lock, the
UPDATE, the DELETE and the INSERTs), and on PostgreSQL the PREPARE text of each statement Rebook
runs prepared. The app below replays them for each POST /bookings/<ref>/cancel in one
transaction (BEGIN IMMEDIATE on SQLite, as Rebook's), on one connection per process opened as
Rebook opens its own (the same pragmas), the booking's and its invoice's ids and ref put in
place of the captured booking's, then answers 302 as Rebook does. No session cookie, no form,
no CSRF check, no ORM, no templates: what is left of Rebook's cost here is the database's and
the bare framework's.

Served as `gunicorn bench.hand_cancel:app` with HAND_CANCEL (the file capture() wrote) and
DATABASE_URL set; never part of the product.
"""
import logging
import os
import pickle
import re
import secrets

# Which driver replays the statements, from the URL the benchmark serves the app with.
_PG = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))


def capture(app, warm_ref, ref, ids, path):
    """One customer's cancel of `ref` (booking version 1) through `app` (Rebook; its demo
    customer logs in through the test client), after one of `warm_ref` not kept (the first
    cancel in a process reads what later ones find kept): what it ran, in order, the PREPARE
    texts of what ran prepared, and `ids` ({ref: (booking id, invoice id)}) pickled to
    `path`."""
    from portal.bookings.models import Booking
    from portal.kernel import compiled
    from portal.kernel.db import database
    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            if record.name == "peewee":
                seen.append(record.msg)

    client = app.test_client()
    assert client.post("/login", data={"email": "customer@example.com",
                                       "password": "demo"}).status_code == 302
    assert client.post(f"/bookings/{warm_ref}/cancel", data={"version": 1}).status_code == 302
    logger, handler = logging.getLogger("peewee"), Keep(logging.DEBUG)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False  # kept here, not printed by the app's log
    try:
        status = client.post(f"/bookings/{ref}/cancel", data={"version": 1}).status_code
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.WARNING)
        logger.propagate = True
    assert status == 302, status
    # What ran prepared (PostgreSQL): peewee's log shows a kept query's EXECUTE, and a kept
    # INSERT's plain text; both are run here as Rebook runs them.
    queries = {query._name: entry[3][0] for query in list(compiled._ALL)
               for entry in query._kinds.values() if entry[3] is not None}
    inserts = {sql: kept for sql, _, kept in compiled._INSERTS.values() if kept}
    statements, prepares = [], {}
    for sql, params in seen:
        if sql.startswith("EXECUTE "):
            name = sql.split()[1]
            prepares[name] = queries[name]
        elif sql in inserts:
            name, prepares[name], sql = inserts[sql]
        statements.append((sql, list(params or ())))
    with app.app_context(), database.connection_context():
        booking_id = Booking.get(Booking.ref == ref).id
    with open(path, "wb") as out:
        pickle.dump({"ref": ref, "ids": ids, "statements": statements, "prepares": prepares,
                     "booking_id": booking_id}, out)


def _swap(value, old, new):
    """A captured value with the captured booking's ref, ids and webhook event id (unique)
    put to the new one's."""
    if isinstance(value, str):
        for name in ("ref", "key", "event"):
            if old[name] and old[name] in value:
                value = value.replace(old[name], new[name])
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        if value == old["id"]:
            return new["id"]
        if value == old["invoice"]:
            return new["invoice"]
    return value


if __name__ != "__main__" and os.environ.get("HAND_CANCEL"):
    from flask import Flask, redirect

    with open(os.environ["HAND_CANCEL"], "rb") as kept:
        _KEPT = pickle.load(kept)
    _FIRST = _KEPT["ref"]
    _EVENT = re.search(r"evt_[0-9a-f]+", repr(_KEPT["statements"]))
    _OLD = {"ref": _FIRST, "id": _KEPT["booking_id"], "invoice": _KEPT["ids"][_FIRST][1],
            "key": f":{_KEPT['booking_id']}:", "event": _EVENT and _EVENT.group(0)}
    _STATEMENTS = _KEPT["statements"]
    app = Flask(__name__)
    _conn = []

    def _connection():
        if _conn:
            return _conn[0]
        url = os.environ["DATABASE_URL"]
        if _PG:
            import psycopg2
            conn = psycopg2.connect(url)
            conn.autocommit = True  # BEGIN and COMMIT sent as Rebook's peewee sends them
            with conn.cursor() as cursor:
                for text in _KEPT["prepares"].values():
                    cursor.execute(text)
        else:
            import sqlite3

            from portal.kernel.db import SQLITE_PRAGMAS
            conn = sqlite3.connect(url.split("sqlite:///", 1)[1], isolation_level=None)
            for name, value in SQLITE_PRAGMAS.items():
                conn.execute(f"PRAGMA {name} = {value}")
        _conn.append(conn)
        return conn

    @app.post("/bookings/<ref>/cancel")
    def cancel(ref):
        booking_id, invoice_id = _KEPT["ids"][ref]
        new = {"ref": ref, "id": booking_id, "invoice": invoice_id, "key": f":{booking_id}:",
               "event": f"evt_{secrets.token_hex(12)}"}
        conn = _connection()
        cursor = conn.cursor()
        cursor.execute("BEGIN" if _PG else "BEGIN IMMEDIATE")
        for sql, params in _STATEMENTS:
            cursor.execute(sql, [_swap(v, _OLD, new) for v in params])
            if cursor.description:  # rows are read, as Rebook reads them
                cursor.fetchall()
        cursor.execute("COMMIT")
        return redirect(f"/bookings/{ref}")
