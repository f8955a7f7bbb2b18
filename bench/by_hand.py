"""Rebook's requests written by hand: a bare Flask app that sends the database exactly what
Rebook sent for a customer's cancel POST (HAND_CANCEL) or booking page (HAND_PAGE), and nothing
else. bench/cancel_served.py and bench/side_by_side.py serve it beside Rebook and a bare hello,
to tell the database's share of a request from the app's.

capture() runs one real cancel through Rebook in-process and keeps, in order, every statement
it ran with its values (the session's read, the locked read, the reads after the lock, the
UPDATE, the DELETE and the INSERTs), and on PostgreSQL the PREPARE text of each statement Rebook
runs prepared; capture_page() does the same for one view of the booking page and keeps the
HTML it answered. The app below replays them for each POST /bookings/<ref>/cancel, with the
BEGIN (IMMEDIATE on SQLite) and COMMIT where Rebook sent them, the booking's and its invoice's
ids and ref put in place of the captured booking's, then a 302 as Rebook's; or for each GET
/bookings/<ref> (then the kept HTML), on one connection per process opened as Rebook opens its
own (the same pragmas). No session cookie, no form, no CSRF check, no ORM, no templates: what
is left of Rebook's cost here is the database's and the bare framework's.

With HAND_STACK=1 the same app also does what the stack asks of such a request, the way a bare
Flask app on it would: Flask's signed session cookie, Flask-Login's logged-in user, and
Flask-WTF's CSRF token (checked on the POST with the form read, a flash message and the cookie
written again; made for the page's forms on the GET). GET /token logs the bench's customer in
and answers the CSRF token. That is the floor of any such request on this stack, before
anything Rebook itself decides, writes or renders.

Served as `gunicorn bench.by_hand:app` with HAND_CANCEL or HAND_PAGE (the file capture() or
capture_page() wrote) and DATABASE_URL set; never part of the product.
"""
import logging
import os
import pickle
import re
import secrets

# Which driver replays the statements, from the URL the benchmark serves the app with.
_PG = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))


def _recorded(client, method, url, **kw):
    """(response, statements, PREPARE texts) of one request through Rebook's test client:
    every statement it ran, in order, with its values, its BEGIN and COMMIT where they came
    (peewee sends those without logging them), and on PostgreSQL the PREPARE text of each that
    ran prepared (peewee's log shows a kept query's EXECUTE, and a kept INSERT's plain text;
    both are replayed as Rebook runs them)."""
    from portal.kernel import compiled
    from portal.kernel.db import database
    seen = []
    db = database.obj

    def begin(*args):
        seen.append((" ".join(["BEGIN", *(str(arg) for arg in args if arg)]), None))
        return type(db).begin(db, *args)

    def commit():
        seen.append(("COMMIT", None))
        return type(db).commit(db)

    class Keep(logging.Handler):
        def emit(self, record):
            if record.name == "peewee":
                seen.append(record.msg)

    logger, handler = logging.getLogger("peewee"), Keep(logging.DEBUG)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False  # kept here, not printed by the app's log
    db.begin, db.commit = begin, commit
    try:
        response = client.open(url, method=method, **kw)
    finally:
        del db.begin, db.commit
        logger.removeHandler(handler)
        logger.setLevel(logging.WARNING)
        logger.propagate = True
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
    begun = sum(sql.startswith("BEGIN") for sql, _ in statements)
    assert begun == sum(sql == "COMMIT" for sql, _ in statements), statements
    return response, statements, prepares


def _logged_in(app):
    client = app.test_client()
    assert client.post("/login", data={"email": "customer@example.com",
                                       "password": "demo"}).status_code == 302
    return client


def capture(app, warm_ref, ref, ids, path):
    """One customer's cancel of `ref` (booking version 1) through `app` (Rebook; its demo
    customer logs in through the test client), after one of `warm_ref` not kept (the first
    cancel in a process reads what later ones find kept): what it ran, in order, the PREPARE
    texts of what ran prepared, and `ids` ({ref: (booking id, invoice id)}) pickled to
    `path`."""
    from portal.bookings.models import Booking
    from portal.kernel.db import database
    client = _logged_in(app)
    assert client.post(f"/bookings/{warm_ref}/cancel", data={"version": 1}).status_code == 302
    response, statements, prepares = _recorded(client, "POST", f"/bookings/{ref}/cancel",
                                               data={"version": 1})
    assert response.status_code == 302, response.status_code
    with app.app_context(), database.connection_context():
        booking_id = Booking.get(Booking.ref == ref).id
    with open(path, "wb") as out:
        pickle.dump({"ref": ref, "ids": ids, "statements": statements, "prepares": prepares,
                     "booking_id": booking_id}, out)


def capture_page(app, ref, path):
    """The customer's page of booking `ref` through `app` (Rebook, its demo customer logged
    in), after one view not kept: its statements, PREPARE texts and the HTML it answered,
    pickled to `path` for HAND_PAGE."""
    client = _logged_in(app)
    assert client.get(f"/bookings/{ref}").status_code == 200
    response, statements, prepares = _recorded(client, "GET", f"/bookings/{ref}")
    assert response.status_code == 200, response.status_code
    with open(path, "wb") as out:
        pickle.dump({"ref": ref, "statements": statements, "prepares": prepares,
                     "html": response.get_data()}, out)


def stack_session(port):
    """(cookie, CSRF token) of the bench's customer from the app below served with HAND_STACK
    (its GET /token), as a browser holds them."""
    from bench.serve import _request
    _, cookie, token = _request(port, "/token")
    return cookie.split(";")[0], token.decode()


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


_KEPT_FILE = os.environ.get("HAND_CANCEL") or os.environ.get("HAND_PAGE")
if __name__ != "__main__" and _KEPT_FILE:
    from flask import Flask, redirect

    with open(_KEPT_FILE, "rb") as kept:
        _KEPT = pickle.load(kept)
    _STATEMENTS = _KEPT["statements"]
    app = Flask(__name__)
    _conn = []
    _STACK = os.environ.get("HAND_STACK") == "1"
    if _STACK:
        from flask import abort, flash, request
        from flask_login import LoginManager, UserMixin, current_user, login_user
        from flask_wtf.csrf import CSRFProtect, generate_csrf

        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
        CSRFProtect(app)
        _logins = LoginManager(app)

        class _Person(UserMixin):
            def __init__(self, id):
                self.id = id

        # The person's row is read among the replayed statements, as Rebook reads it.
        _logins.user_loader(_Person)

        @app.get("/token")
        def token():
            login_user(_Person("1"))
            return generate_csrf()

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

    def _replay(cursor, params_of=lambda params: params):
        for sql, params in _STATEMENTS:
            cursor.execute(sql, params_of(params))
            if cursor.description:  # rows are read, as Rebook reads them
                cursor.fetchall()

    if os.environ.get("HAND_PAGE"):
        @app.get("/bookings/<ref>")
        def page(ref):
            if _STACK:
                if not current_user.is_authenticated:
                    abort(400)
                generate_csrf()  # the page's forms carry the token
            _replay(_connection().cursor())
            return _KEPT["html"]
    else:
        _FIRST = _KEPT["ref"]
        _EVENT = re.search(r"evt_[0-9a-f]+", repr(_STATEMENTS))
        _OLD = {"ref": _FIRST, "id": _KEPT["booking_id"], "invoice": _KEPT["ids"][_FIRST][1],
                "key": f":{_KEPT['booking_id']}:", "event": _EVENT and _EVENT.group(0)}

        @app.post("/bookings/<ref>/cancel")
        def cancel(ref):
            if _STACK:
                if not current_user.is_authenticated or request.form.get("version") != "1":
                    abort(400)
            booking_id, invoice_id = _KEPT["ids"][ref]
            new = {"ref": ref, "id": booking_id, "invoice": invoice_id, "key": f":{booking_id}:",
                   "event": f"evt_{secrets.token_hex(12)}"}
            _replay(_connection().cursor(), lambda params: [_swap(v, _OLD, new) for v in params])
            if _STACK:
                flash("Your booking is cancelled. We've emailed you a confirmation.", "success")
            return redirect(f"/bookings/{ref}")
