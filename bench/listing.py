"""The admin's All bookings page with 10,000 bookings (SQLite): one figure per filter.

A whole request through the Flask test client, logged in as an admin: session, settings,
the filter's count and page queries, the fieldworkers' names, the select options and the render.
"""
import statistics
import tempfile
from datetime import timedelta
from pathlib import Path

from werkzeug.security import generate_password_hash

from bench.common import insert_chunks, timed
from portal import create_app
from portal.bookings.models import Assignment, Booking, Service
from portal.kernel.clock import utcnow
from portal.kernel.db import database
from portal.kernel.migrate import upgrade
from portal.people import Customer, Staff

TOTAL = 10_000
RUNS = 30


def _seed():
    """An admin, 4 fieldworkers, 3 services, 200 customers and TOTAL bookings an hour apart,
    half past and half to come; 1 in 12 cancelled, past ones mostly completed, a few no-shows,
    every fifth booking with a second fieldworker. Returns (a fieldworker id, a service id)."""
    pw = generate_password_hash("demo")
    Staff.create(name="Ada Admin", email="admin@example.com", role="admin", password_hash=pw)
    workers = [Staff.create(name=f"Worker {i}", email=f"w{i}@example.com", password_hash=pw).id
               for i in range(4)]
    services = [Service.create(name=name, duration_minutes=120, price=9000).id
                for name in ("Regular clean", "Deep clean", "Windows")]
    now = utcnow().replace(microsecond=0)
    insert_chunks(Customer, [{"name": f"Customer {i}", "email": f"c{i}@example.com",
                               "password_hash": pw, "created_at": now} for i in range(200)])
    customers = [c.id for c in Customer.select(Customer.id).order_by(Customer.id)]
    rows = []
    for i in range(TOTAL):
        start = now + timedelta(hours=i - TOTAL // 2)
        status = ("cancelled" if i % 12 == 0 else "scheduled" if start > now
                  else "no_show" if i % 25 == 1 else "completed")
        rows.append({"ref": f"BK-{i:06d}", "customer": customers[i % 200],
                     "service": services[i % 3], "starts_at": start,
                     "ends_at": start + timedelta(hours=2), "price": 9000, "address": "",
                     "status": status, "version": 1, "reschedule_count": 0, "created_at": now,
                     "cancelled_at": now if status == "cancelled" else None,
                     "cancel_channel": "portal" if status == "cancelled" else None})
    with database.atomic():
        insert_chunks(Booking, rows)
        ids = [b.id for b in Booking.select(Booking.id).order_by(Booking.id)]
        insert_chunks(Assignment,
                      [{"booking": b, "staff": workers[n % 4]} for n, b in enumerate(ids)]
                      + [{"booking": b, "staff": workers[(n + 1) % 4]}
                         for n, b in enumerate(ids) if n % 5 == 0])
    return workers[1], services[1]


def main():
    tmp = Path(tempfile.mkdtemp())
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})
    with app.app_context(), database.connection_context():
        upgrade()
        worker, service = _seed()
    today = utcnow().date()
    filters = {
        "default (all, newest first)": "",
        "upcoming": "?show=upcoming",
        "cancelled": "?show=cancelled",
        "search 'customer 17'": "?q=customer+17",
        "search by reference": "?q=bk-004321",
        "fieldworker": f"?fieldworker={worker}",
        "service + fieldworker": f"?service={service}&fieldworker={worker}",
        "date range (a week)": f"?from={today}&to={today + timedelta(days=6)}",
        "page 40": "?page=40",
        "htmx fragment, past, page 40": "?show=past&page=40",
    }
    client = app.test_client()
    client.post("/login", data={"email": "admin@example.com", "password": "demo"})
    medians, worst = [], 0.0
    for label, query in filters.items():
        headers = {"HX-Request": "true"} if label.startswith("htmx") else {}
        url = f"/admin/bookings{query}"
        assert client.get(url, headers=headers).status_code == 200, url
        median, slowest = timed(lambda: client.get(url, headers=headers), RUNS)
        medians.append(median)
        worst = max(worst, slowest)
        print(f"All bookings, {label:<30} {TOTAL:,} bookings: median {median:.1f} ms, "
              f"max {slowest:.1f} ms")
    print(f"All bookings page, {TOTAL:,} bookings, {len(filters)} filters: median "
          f"{statistics.median(medians):.1f} ms (slowest filter's median {max(medians):.1f} ms, "
          f"max {worst:.1f} ms)")


if __name__ == "__main__":
    main()
