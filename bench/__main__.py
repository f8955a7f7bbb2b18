"""Benchmarks (not tests): `make bench`. Prints figures; nothing asserts on time.

- booking page and My bookings with 10,000 bookings in the database (SQLite)
- cancellations per second through cancel_booking (SQLite, one process)
- outbox delivery rate to a local SMTP sink (bench/delivery.py)
- the cancellations report with 100,000 bookings (bench/reports.py)
- the activity log with 100,000 audit events (bench/activity.py)
- the booking page through gunicorn, 1 and 2 processes, PostgreSQL (bench/serve.py)

`python -m bench pages` runs only bench/pages.py: pages beside bare Flask, CPU per request.
"""
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench import activity
from bench import availability
from bench import delivery
from bench import listing
from bench import reports
from bench import serve
from bench.common import timed
from portal import create_app
from portal.bookings.models import Assignment, Booking, Service
from portal.bookings.services import cancel_booking
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.kernel.db import database
from portal.kernel.migrate import upgrade
from portal.people import Customer, Staff
from werkzeug.security import generate_password_hash


def _seed(total=10_000):
    pw = generate_password_hash("demo")
    fw = Staff.create(name="Fran", email="fw@example.com", role="fieldworker", password_hash=pw)
    service = Service.create(name="Regular clean", duration_minutes=120, price=9000)
    customers = [Customer.create(name=f"Customer {i}", email=f"c{i}@example.com",
                                 password_hash=pw) for i in range(200)]
    now = utcnow().replace(microsecond=0)
    rows = []
    for i in range(total):
        start = now + timedelta(hours=i % 2000 - 500)
        rows.append({"ref": f"BK-{i:06d}", "customer": customers[i % 200].id,
                     "service": service.id, "starts_at": start,
                     "ends_at": start + timedelta(hours=2), "price": 9000, "address": "",
                     "status": "scheduled", "version": 1, "reschedule_count": 0,
                     "created_at": now})
    with database.atomic():
        for chunk in range(0, total, 500):
            Booking.insert_many(rows[chunk:chunk + 500]).execute()
        Assignment.insert_many([{"booking": b.id, "staff": fw.id}
                                for b in Booking.select(Booking.id)]).execute()
    return customers[0]


def main():
    tmp = Path(tempfile.mkdtemp())
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})
    with app.app_context(), database.connection_context():
        upgrade()
        customer = _seed()
        ref = Booking.select().where(Booking.customer == customer,
                                     Booking.starts_at > utcnow()).first().ref
    client = app.test_client()
    client.post("/login", data={"email": "c0@example.com", "password": "demo"})
    for url in ("/bookings", "/bookings?show=all", f"/bookings/{ref}"):
        median, worst = timed(lambda: client.get(url), 50, warm_up=False)
        print(f"GET {url:<22} with 10,000 bookings: median {median:.1f} ms, max {worst:.1f} ms")

    with app.app_context(), database.connection_context():
        refs = [b.ref for b in Booking.select().where(Booking.starts_at > utcnow()).limit(300)]
        actor = Actor("admin", None, "bench")
        with app.test_request_context():
            start = time.perf_counter()
            for r in refs:
                cancel_booking(r, actor, channel="admin")
            elapsed = time.perf_counter() - start
    print(f"cancel_booking: {len(refs) / elapsed:.0f} cancellations/s "
          f"({elapsed / len(refs) * 1000:.1f} ms each, incl. audit, email render, notices)")


if __name__ == "__main__":
    if sys.argv[1:] == ["pages"]:  # `python -m bench pages`: bench/pages.py alone
        from bench import pages
        pages.main()
        sys.exit()
    main()
    delivery.main()
    listing.main()
    availability.main()
    reports.main()
    activity.main()
    serve.main()
