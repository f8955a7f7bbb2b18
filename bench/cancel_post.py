"""A customer's cancel POST beside a bare Flask route: statements and in-process CPU.

The demo business on SQLite (or PostgreSQL with --postgres, the embedded server the tests use),
with BOOKINGS of the demo customer's bookings a month or more ahead (no late fee), each with
the invoice and service line a real booking gets when it is made. Every POST cancels a fresh
one. Per request: time.process_time through the Flask test client (for the POSTs, around the
POST alone) (the approach of
bench/page_sizes.py), ROUNDS rounds alternating a bare five-line Flask app's hello, the app's
own floor (a hello route behind every hook), the plain cancel POST (a redirect) and the htmx one
(the updated card); median of the rounds, and beside it the median of every request's own CPU
time over all rounds (one slow stretch on a loaded machine moves a round's total, barely this).
On PostgreSQL the server's own CPU is not included.
Each POST carries its CSRF token, as a browser's does (the other benchmarks post without), and a
session cookie the app has read before, as after the confirm step's GET (the benchmark drops the
last flash message from the cookie first, see cancel() in main). Python calls per request are
counted apart from the timing (cProfile), over a few requests; and what one plain cancel makes
the database write (pages of SQLite's write-ahead log, bytes of PostgreSQL's), which every index
the cancel's writes touch adds to.

    python -m bench.cancel_post [--postgres]
"""
import cProfile
import logging
import pstats
import re
import statistics
import sys
import time
from datetime import timedelta

from peewee import PostgresqlDatabase

from bench.common import bare_client, demo_app, insert_chunks, statements

BOOKINGS = 1_200  # ROUNDS x PER_ROUND x 2 (plain, htmx), with room to spare
ROUNDS = 3
PER_ROUND = 150
HELLO_RUNS = 2_000


def _bookings(count):
    """`count` scheduled bookings of the demo customer, an hour apart from a month ahead, with
    a fieldworker each and an invoice holding the service line; [(ref, version)]."""
    from portal.billing.models import Invoice, InvoiceLine
    from portal.bookings.models import Assignment, Booking, Service
    from portal.kernel.clock import utcnow
    from portal.kernel.db import database
    from portal.people import Customer, Staff
    now = utcnow().replace(microsecond=0)
    casey = Customer.get(Customer.email == "customer@example.com").id
    service = Service.select().where(Service.active).order_by(Service.id).first()
    worker = Staff.select().where(Staff.role == Staff.FIELDWORKER).order_by(Staff.id).first()
    refs = [f"BENCH-{i:05d}" for i in range(count)]  # apart from the demo's random refs
    with database.atomic():
        insert_chunks(Booking, [
            {"ref": refs[i], "customer": casey, "service": service.id,
             "starts_at": now + timedelta(days=30, hours=i),
             "ends_at": now + timedelta(days=30, hours=i + 2), "price": service.price,
             "address": "1 Bench Road", "status": "scheduled", "version": 1,
             "reschedule_count": 0, "created_at": now} for i in range(count)])
        rows = [b for start in range(0, count, 500)
                for b in Booking.select(Booking.id, Booking.ref, Booking.version)
                .where(Booking.ref.in_(refs[start:start + 500])).order_by(Booking.id)]
        insert_chunks(Assignment, [{"booking": b.id, "staff": worker.id} for b in rows])
        insert_chunks(Invoice, [{"booking": b.id, "customer": casey, "currency": "USD",
                                 "created_at": now} for b in rows])
        invoices = [i for start in range(0, count, 500) for i in Invoice.select(Invoice.id)
                    .where(Invoice.booking.in_([b.id for b in rows[start:start + 500]]))]
        insert_chunks(InvoiceLine, [{"invoice": i.id, "kind": "service",
                                     "description": service.name, "amount": service.price,
                                     "tax_rate_bp": 0, "tax": 0, "created_at": now}
                                    for i in invoices])
    return [(b.ref, b.version) for b in rows]


spent = [0.0]  # CPU seconds inside the cancel POSTs themselves (see cancel() in main)
each = []  # and each POST's own, for the per-request median


def _cpu_per_request(call, runs, samples):
    """CPU ms per request over `runs` calls; each call's own CPU ms appended to `samples`."""
    start = time.process_time()
    for _ in range(runs):
        before = time.process_time()
        call()
        samples.append((time.process_time() - before) * 1000)
    return (time.process_time() - start) / runs * 1000


def _cpu_per_post(call, runs, samples):
    spent[0] = 0.0
    each.clear()
    for _ in range(runs):
        call()
    samples.extend(each)
    return spent[0] / runs * 1000


def _calls(call, runs=20):
    profile = cProfile.Profile()
    for _ in range(runs):
        profile.enable()
        call()
        profile.disable()
    return pstats.Stats(profile).total_calls / runs


def _statements(call):
    with statements() as seen:
        call()
    return len(seen)


def _written(call, runs=5):
    """What one call makes the database write, median of `runs`: on SQLite the pages it adds to
    the write-ahead log (each 4 KB; a page holds a table's or an index's rows, so every index a
    write touches is a page more), on PostgreSQL the bytes of write-ahead log."""
    from portal.kernel.db import database
    sizes = []
    for _ in range(runs):
        if isinstance(database.obj, PostgresqlDatabase):
            before = database.execute_sql("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
            call()
            sizes.append(database.execute_sql(
                "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), %s)", (before,)
            ).fetchone()[0])
        else:  # the log emptied, then its frames counted (nothing else writes meanwhile)
            database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            call()
            sizes.append(database.execute_sql("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])
    return statistics.median(sizes)


def main(postgres=False):
    logging.getLogger("rebook.request").setLevel(logging.WARNING)  # a line per request
    from portal.kernel.db import database
    with demo_app(postgres, "cancel") as app:
        app.add_url_rule("/bench/floor", "bench_floor", lambda: "Hello")
        with app.app_context(), database.connection_context():
            fresh = iter(_bookings(BOOKINGS))
        client = app.test_client()
        client.post("/login", data={"email": "customer@example.com", "password": "demo"})
        app.config["WTF_CSRF_ENABLED"] = True  # read per request: the POSTs are checked
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                          client.get("/bookings").get_data(as_text=True)).group(1)
        bare = bare_client()
        profile, counting = None, False  # Python calls are counted apart from the timing

        def cancel(headers, expect):
            ref, version = next(fresh)
            if not headers:
                # A browser follows the redirect, whose page shows (and so drops) the flash
                # message; the test client does not, and a session collecting hundreds of them
                # made every later request decode and encode them (over 2 ms each by the
                # end). Dropped here, outside the time counted.
                with client.session_transaction() as session:
                    session.pop("_flashes", None)
                client.get("/bench/floor")  # the new cookie read once, as by the confirm step
            start = time.process_time()
            if counting:
                profile.enable()
            status = client.post(f"/bookings/{ref}/cancel",
                                 data={"version": version, "csrf_token": token},
                                 headers=headers).status_code
            if counting:
                profile.disable()
            spent[0] += time.process_time() - start
            each.append((time.process_time() - start) * 1000)
            assert status == expect, (ref, status)

        plain, htmx = (lambda: cancel({}, 302)), (lambda: cancel({"HX-Request": "true"}, 200))
        for call in (plain, htmx, lambda: bare.get("/"), lambda: client.get("/bench/floor")):
            call()  # warm-up: templates compiled, first-request work done, lookups kept
        statements = {"plain": _statements(plain), "htmx": _statements(htmx)}
        written = _written(plain)
        calls = {"bare": _calls(lambda: bare.get("/")),
                 "floor": _calls(lambda: client.get("/bench/floor"))}
        for key, call in (("plain", plain), ("htmx", htmx)):  # the POST alone
            profile, counting = cProfile.Profile(), True
            for _ in range(20):
                call()
            counting = False
            calls[key] = pstats.Stats(profile).total_calls / 20
        rounds = {"bare": [], "floor": [], "plain": [], "htmx": []}
        single = {key: [] for key in rounds}  # every request's own CPU, all rounds
        for _ in range(ROUNDS):
            rounds["bare"].append(_cpu_per_request(lambda: bare.get("/"), HELLO_RUNS,
                                                   single["bare"]))
            rounds["floor"].append(_cpu_per_request(lambda: client.get("/bench/floor"),
                                                    HELLO_RUNS, single["floor"]))
            rounds["plain"].append(_cpu_per_post(plain, PER_ROUND, single["plain"]))
            rounds["htmx"].append(_cpu_per_post(htmx, PER_ROUND, single["htmx"]))
    cpu = {name: statistics.median(values) for name, values in rounds.items()}
    one = {name: statistics.median(values) for name, values in single.items()}
    name = "PostgreSQL (the server's own CPU not counted)" if postgres else "SQLite"
    print(f"{name}: CPU ms per request through the test client, median of {ROUNDS} rounds "
          f"(range), x the bare route; then the median of every request's own CPU ms, x the "
          f"bare route's (steadier on a loaded machine); Python calls per request")
    for label, key in (("bare Flask hello", "bare"), ("the app's floor (hello, every hook)",
                                                      "floor"),
                       (f"cancel POST, plain ({statements['plain']} statements)", "plain"),
                       (f"cancel POST, htmx ({statements['htmx']} statements)", "htmx")):
        low, high = min(rounds[key]), max(rounds[key])
        print(f"  {label:<40} {cpu[key]:6.2f} ({low:.2f}-{high:.2f})  "
              f"{cpu[key] / cpu['bare']:5.1f}x  | {one[key]:6.3f} {one[key] / one['bare']:5.1f}x  "
              f"{calls[key]:6,.0f} calls")
    print("  written by a plain cancel POST: " + (
        f"{written:,.0f} bytes of write-ahead log" if postgres else
        f"{written:.0f} pages of 4 KB to the write-ahead log"))


if __name__ == "__main__":
    main(postgres="--postgres" in sys.argv)
