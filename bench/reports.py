"""Reports › Cancellations with 100,000 bookings and 15,000 cancellations (SQLite, or the
embedded PostgreSQL server the tests use with --postgres).

Whole requests through the Flask test client, logged in as an admin, for the presets, a
two-year custom range (every booking), and filters; then the CSV of every cancellation.
Prints the median and worst wall time, the median and worst CPU time of this process (SQLite
runs in it; steadier than wall time on a shared machine), on PostgreSQL the mean CPU time of
its processes per request (the clock's ticks over all runs), and the number of queries each
page ran. The report summary is brought up to date after the
seeding, then the database is vacuumed and analysed, as autovacuum would.

    python -m bench.reports [--postgres]
"""
import random
import re
import statistics
import sys
import time
from datetime import timedelta

from werkzeug.security import generate_password_hash

from bench.common import bench_database, insert_chunks, statements
from bench.serve import _cpu_ticks, _postgres_pids, _spent_ms
from portal import create_app
from portal.billing.models import Invoice, InvoiceLine, Refund
from portal.bookings.models import Assignment, Booking, Service
from portal.kernel.clock import utcnow
from portal.kernel.db import database
from portal.kernel.migrate import upgrade
from portal.people import Customer, Staff
from portal.reports.summary import refresh
from portal.settings import CancellationReason, Settings, ensure_default_reasons

TOTAL = 100_000
CANCELLED = 15_000
DAYS = 730
RUNS = 15


def _seed():
    """An admin, 8 fieldworkers, 6 services, 2,000 customers; TOTAL bookings over DAYS days up
    to a week ahead, CANCELLED of them cancelled (reasons, channels, notice from an hour to
    two weeks), 3 % no-shows, fees on late ones and no-shows, refunds on one in ten."""
    rng = random.Random(8)
    pw = generate_password_hash("demo")
    ensure_default_reasons()
    reasons = [(r.id, r.label) for r in CancellationReason.select()]
    Staff.create(name="Ada Admin", email="admin@example.com", role="admin", password_hash=pw)
    workers = [Staff.create(name=f"Worker {i}", email=f"w{i}@example.com",
                            password_hash=pw).id for i in range(8)]
    services = [Service.create(name=f"Service {i}", duration_minutes=60, price=5000 + 1000 * i)
                for i in range(6)]
    now = utcnow().replace(microsecond=0)
    insert_chunks(Customer, [{"name": f"Customer {i}", "email": f"c{i}@example.com",
                               "password_hash": pw, "created_at": now} for i in range(2000)])
    customers = [c.id for c in Customer.select(Customer.id)]
    cancelled = set(rng.sample(range(TOTAL), CANCELLED))
    channels = ["portal", "portal", "email_link", "admin", "fieldworker", "integration"]
    rows = []
    for i in range(TOTAL):
        start = now - timedelta(days=DAYS - 7) + timedelta(minutes=i * (DAYS * 1440 // TOTAL))
        service = services[i % 6]
        row = {"ref": f"BK-{i:07d}", "customer": customers[i % 2000], "service": service.id,
               "starts_at": start, "ends_at": start + timedelta(hours=1), "price": service.price,
               "address": "", "status": "completed" if start < now else "scheduled",
               "version": 1, "reschedule_count": 1 if i % 9 == 0 else 0, "created_at": start,
               "cancelled_at": None, "cancelled_by_kind": None, "cancel_channel": None,
               "cancel_reason": None, "cancel_reason_label": None, "cancel_note": None}
        if i in cancelled:
            reason = rng.choice(reasons)
            channel = rng.choice(channels)
            row.update(status="cancelled", cancel_channel=channel,
                       cancelled_at=start - timedelta(hours=rng.choice([1, 12, 30, 60, 200, 340])),
                       cancelled_by_kind="customer" if channel in ("portal", "email_link")
                       else channel, cancel_reason=reason[0], cancel_reason_label=reason[1],
                       cancel_note="Something came up" if reason[1] == "Other" else None)
        elif start < now and i % 33 == 0:
            row["status"] = "no_show"
        rows.append(row)
    with database.atomic():
        insert_chunks(Booking, rows)
        ids = [(b.id, b.status, b.customer_id, b.starts_at, b.cancelled_at)
               for b in Booking.select(Booking.id, Booking.status, Booking.customer,
                                       Booking.starts_at, Booking.cancelled_at)]
        insert_chunks(Assignment, [{"booking": b[0], "staff": workers[n % 8]}
                                    for n, b in enumerate(ids)]
                       + [{"booking": b[0], "staff": workers[(n + 1) % 8]}
                          for n, b in enumerate(ids) if n % 10 == 0])
        charged = [b for b in ids if b[1] == "no_show" or (
            b[1] == "cancelled" and b[3] - b[4] < timedelta(hours=24))]
        refunded = [b for n, b in enumerate(ids) if b[1] == "cancelled" and n % 10 == 0]
        with_invoice = {b[0]: b for b in charged + refunded}
        insert_chunks(Invoice, [{"booking": b[0], "customer": b[2], "currency": "USD",
                                  "created_at": now} for b in with_invoice.values()])
        invoices = dict(Invoice.select(Invoice.booking, Invoice.id).tuples())
        insert_chunks(InvoiceLine, [{"invoice": invoices[b[0]], "amount": 2500, "tax": 0,
                                      "tax_rate_bp": 0, "created_at": now, "description": "Fee",
                                      "kind": "no_show_fee" if b[1] == "no_show" else
                                      "cancellation_fee"} for b in charged])
        insert_chunks(Refund, [{"invoice": invoices[b[0]], "amount": 2000,
                                 "status": ("requested", "approved", "processed")[n % 3],
                                 "requested_by_kind": "customer", "requested_at": now, "version": 1}
                                for n, b in enumerate(refunded)])
    return services[2].id, workers[3]


def _database_pids(url):
    """PostgreSQL's processes (the backend serving the app and its helpers), or none."""
    host = re.search(r"host=([^&]+)", url)
    return _postgres_pids(host.group(1)) if url.startswith("postgres") and host else []


def _measure(client, url, database_pids):
    client.get(url).get_data()  # warm-up: template compilation is not what we measure
    samples, cpu = [], []
    before = _cpu_ticks(database_pids)
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        response.get_data()
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, response.status_code
    database_cpu = _spent_ms(before, _cpu_ticks(database_pids)) / RUNS
    with statements() as seen:
        client.get(url).get_data()
    return (statistics.median(samples), max(samples), statistics.median(cpu), max(cpu),
            database_cpu, len(seen))


def main(postgres=False):
    with bench_database(postgres, "reports") as url:
        _run(url, postgres)


def _run(database_url, postgres):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})
    with app.app_context(), database.connection_context():
        upgrade()
        service, worker = _seed()
        refresh(Settings.current().timezone)
        # What autovacuum gives a real install after a load: statistics, and on PostgreSQL the
        # visibility map, without which an index-only scan still reads every table page.
        database.execute_sql("VACUUM ANALYZE" if postgres else "ANALYZE")
    pids = _database_pids(database_url)
    client = app.test_client()
    client.post("/login", data={"email": "admin@example.com", "password": "demo"})
    start = (utcnow() - timedelta(days=DAYS)).date().isoformat()
    end = (utcnow() + timedelta(days=7)).date().isoformat()
    base = "/admin/reports/cancellations"
    engine = "PostgreSQL" if postgres else "SQLite"
    print(f"Reports › Cancellations, {TOTAL:,} bookings, {CANCELLED:,} cancelled ({engine}):")
    for label, url in [
        ("last 30 days", f"{base}"),
        ("last 90 days", f"{base}?preset=90d"),
        ("this month", f"{base}?preset=month"),
        ("every booking (2-year custom range)", f"{base}?preset=custom&from={start}&to={end}"),
        ("every booking, one service", f"{base}?preset=custom&from={start}&to={end}"
                                       f"&service={service}"),
        ("every booking, one fieldworker", f"{base}?preset=custom&from={start}&to={end}"
                                           f"&fieldworker={worker}"),
        ("90 days, customers via the portal", f"{base}?preset=90d&channel=portal"
                                              f"&initiator=customer"),
        ("CSV, every cancellation (15,000 rows)", f"{base}.csv?preset=custom&from={start}"
                                                  f"&to={end}"),
    ]:
        median, worst, cpu, cpu_worst, db_cpu, queries = _measure(client, url, pids)
        own = f", PostgreSQL's CPU mean {db_cpu:5.1f} ms" if postgres else ""
        print(f"  {label:<38} wall median {median:6.1f} ms, max {worst:6.1f}; CPU median "
              f"{cpu:6.1f} ms, max {cpu_worst:6.1f}{own}; {queries} queries")


if __name__ == "__main__":
    main(postgres="--postgres" in sys.argv)
