"""Pages flat in data size: the customer, admin and fieldworker pages (PAGES) and a customer's
cancel POST, at demo size and again with 100,000 bookings added (a customer with 500 of them,
a fieldworker with half), on SQLite, or on PostgreSQL with --postgres (the embedded server the
tests use).

Per page: the SQL statements of one request, the response size, its Python function calls
(cProfile; they show a page doing more work without the noise of a shared machine), and
in-process CPU per request (time.process_time over RUNS requests, or fewer within BUDGET,
through the Flask test client, after a warm-up; on PostgreSQL the server's own CPU is not
included). The cancel POST: statements, plain and htmx.

    python -m bench.page_sizes [--postgres]       (BENCH_RUNS=50 for a quicker pass)
"""
import cProfile
import os
import pstats
import sys
import time
from datetime import timedelta

from bench.common import demo_app, insert_chunks, statements

RUNS = int(os.environ.get("BENCH_RUNS", 200))
BUDGET = 5.0  # CPU seconds per page at most: a page that grew with the data gets fewer runs
BOOKINGS = 100_000
FULL = 2_000  # enough for every list to fill its page; the step from here to BOOKINGS is data
# {ref}: one of the demo customer's bookings still to come; {customer}: her id.
PAGES = {"customer@example.com": ["/bookings", "/bookings?show=past", "/bookings?page=3",
                                  "/bookings/{ref}", "/orders", "/account",
                                  "/account/waitlist"],
         "admin@example.com": ["/admin/bookings", "/admin/bookings?view=upcoming",
                               "/admin/bookings?page=40", "/admin/bookings/{ref}",
                               "/admin/today", "/admin/customers", "/admin/customers?page=2",
                               "/admin/customers/{customer}", "/admin/orders",
                               "/admin/refunds", "/admin/activity", "/admin/emails",
                               "/admin/staff", "/admin/services", "/admin/waitlist",
                               "/admin/reports/cancellations"],
         "fieldworker@example.com": ["/fieldworker/jobs", "/fieldworker/jobs/{ref}",
                                     "/fieldworker/notifications"]}


def _grow(total, prefix, casey_every):
    """`total` more bookings an hour apart, half past and half to come, across 500 new
    customers and the demo customer (1 in `casey_every`; 0: none), the demo fieldworkers
    taking turns."""
    from portal.bookings.models import Assignment, Booking, Service
    from portal.kernel.db import database
    from portal.people import Customer, Staff
    from portal.kernel.clock import utcnow
    now = utcnow().replace(microsecond=0)
    insert_chunks(Customer, [{"name": f"Bulk Customer {i}", "email": f"{prefix}{i}@example.com",
                              "created_at": now} for i in range(500)])
    bulk = [c.id for c in Customer.select(Customer.id).where(Customer.email.startswith(prefix))]
    casey = Customer.get(Customer.email == "customer@example.com").id
    workers = [s.id for s in Staff.select(Staff.id).where(Staff.role == Staff.FIELDWORKER)]
    services = [s.id for s in Service.select(Service.id)]
    rows = []
    for i in range(total):
        start = now + timedelta(hours=i - total // 2, minutes=7 + len(prefix))
        status = ("cancelled" if i % 12 == 0 else "scheduled" if start > now
                  else "completed")
        rows.append({"ref": f"BK-{len(prefix)}{i:06d}", "customer": casey if casey_every and i % casey_every == 0
                     else bulk[i % 500],
                     "service": services[i % len(services)], "starts_at": start,
                     "ends_at": start + timedelta(hours=2), "price": 9000, "address": "",
                     "status": status, "version": 1, "reschedule_count": 0, "created_at": now,
                     "cancelled_at": now if status == "cancelled" else None,
                     "cancel_channel": "admin" if status == "cancelled" else None})
    with database.atomic():
        insert_chunks(Booking, rows)
        ids = [b.id for b in Booking.select(Booking.id)
               .where(Booking.ref.startswith(f"BK-{len(prefix)}"))]
        insert_chunks(Assignment, [{"booking": b, "staff": workers[n % len(workers)]}
                                   for n, b in enumerate(ids)])


def _names(app):
    """What the {placeholders} of PAGES stand for (demo rows, the same at every size)."""
    from portal.bookings.models import Assignment, Booking
    from portal.kernel.clock import utcnow
    from portal.kernel.db import database
    from portal.people import Customer, Staff
    with app.app_context(), database.connection_context():
        casey = Customer.get(Customer.email == "customer@example.com")
        worker = Staff.get(Staff.email == "fieldworker@example.com")
        booking = (Booking.select().join(Assignment, on=(Assignment.booking == Booking.id))
                   .where((Booking.customer == casey) & (Assignment.staff == worker)
                          & (Booking.status == "scheduled") & (Booking.starts_at > utcnow()))
                   .order_by(Booking.starts_at.desc()).get())
        return {"ref": booking.ref, "customer": casey.id}


def _pages(app, names):
    figures = {}
    for email, urls in PAGES.items():
        client = app.test_client()
        client.post("/login", data={"email": email, "password": "demo"})
        for url in (u.format(**names) for u in urls):
            assert client.get(url).status_code == 200, url
            with statements() as seen:
                size = len(client.get(url).data)
            profile = cProfile.Profile()  # Python calls: steadier than CPU on a busy machine
            profile.runcall(client.get, url)
            calls = pstats.Stats(profile).total_calls
            start, runs = time.process_time(), 0
            while runs < RUNS and time.process_time() - start < BUDGET:
                client.get(url)
                runs += 1
            cpu = (time.process_time() - start) / runs * 1000
            figures[url] = (len(seen), size, cpu, calls)
    return figures


def _cancel_posts(app):
    """Statements of a customer's cancel POST, plain and htmx, on two bookings days ahead."""
    from portal.bookings.models import Booking
    from portal.kernel.db import database
    from portal.people import Customer
    from portal.kernel.clock import utcnow
    with app.app_context(), database.connection_context():
        casey = Customer.get(Customer.email == "customer@example.com")
        refs = [(b.ref, b.version) for b in Booking.select().where(
            (Booking.customer == casey) & (Booking.status == "scheduled")
            & (Booking.starts_at > utcnow() + timedelta(days=3))).order_by(Booking.starts_at)
            .limit(2)]
    client = app.test_client()
    client.post("/login", data={"email": "customer@example.com", "password": "demo"})
    counts = []
    for (ref, version), headers in zip(refs, ({}, {"HX-Request": "true"})):
        with statements() as seen:
            status = client.post(f"/bookings/{ref}/cancel", data={"version": version},
                                 headers=headers).status_code
        assert status in (200, 302), status
        counts.append(len(seen))
    return counts


def _measure(app, names):
    return _pages(app, names), _cancel_posts(app)


def main(postgres=False):
    from portal.kernel.db import database
    with demo_app(postgres, "pages") as app:
        names = _names(app)
        sizes = [("demo", *_measure(app, names))]
        # The demo customer gets 500 bookings at FULL (the customer had 507) and keeps
        # them: from there on only the table grows under her window.
        for total, prefix, casey_every in ((FULL, "b", 4), (BOOKINGS - FULL, "bk", 0)):
            with app.app_context(), database.connection_context():
                _grow(total, prefix, casey_every)
            sizes.append((f"+{FULL if prefix == 'b' else BOOKINGS:,}", *_measure(app, names)))
    name = "PostgreSQL" if postgres else "SQLite"
    print(f"{name}: statements / KB / Python calls / CPU ms per request, at demo size, with "
          f"{FULL:,} bookings added (every list full) and with {BOOKINGS:,}; last: calls and "
          f"CPU {BOOKINGS:,} / {FULL:,}")
    for url in sizes[0][1]:
        cells = [f"{p[url][0]:>2} {p[url][1] / 1024:5.1f} {p[url][3]:6,} {p[url][2]:6.2f}"
                 for _, p, _ in sizes]
        full, most = sizes[1][1][url], sizes[2][1][url]
        print(f"  GET {url:<32} " + "  |".join(cells)
              + f"  ({most[3] / full[3]:.2f}x, {most[2] / full[2]:.2f}x)")
    print("  cancel POST statements (plain, htmx): "
          + ", ".join(f"{label} {cancel}" for label, _, cancel in sizes))


if __name__ == "__main__":
    main(postgres="--postgres" in sys.argv)
