"""The availability engine: a 14-day slot grid for one service across 20 fieldworkers (SQLite).

Three databases, so the figures show what the cost follows: 100,000 scheduled bookings over
five years (about 770 inside the fortnight, as the volume would put there), 10,000 bookings
with the same 770 inside it, and 100,000 with four times as many inside it. The time should
stay put between the first two and grow with the third.
"""
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from bench.common import insert_chunks
from portal import create_app
from portal.bookings.availability import check_slot, free_slots
from portal.bookings.models import Assignment, Booking, Service
from portal.bookings.schedule_models import WorkingHours
from portal.kernel.db import database, open_database
from portal.kernel.migrate import upgrade
from portal.people import Customer, Staff
from portal.settings import Settings

WORKERS = 20
DAYS = 14
RUNS = 30
YEARS_OF_DAYS = 5 * 365
NOW = datetime(2027, 3, 1, 12)  # naive UTC; the window is the fortnight after it
CASES = ((100_000, 770), (10_000, 770), (100_000, 3_080))  # (bookings, inside the window)


def _starts(total, inside):
    """`inside` starts within the window and the rest spread over five years around it, on
    the hour between 13:00 and 21:00 UTC (8 AM-4 PM in New York in winter)."""
    window = [NOW + timedelta(days=(i * DAYS) // inside) for i in range(inside)]
    first = NOW - timedelta(days=YEARS_OF_DAYS // 2)
    outside, i = [], 0
    while len(outside) < total - inside:
        day = first + timedelta(days=(i * YEARS_OF_DAYS) // (total - inside))
        i += 1
        if not NOW - timedelta(days=1) < day < NOW + timedelta(days=DAYS):
            outside.append(day)
    return [d.replace(hour=13 + 2 * (n % 5)) for n, d in enumerate(window + outside)]


def _seed(total, inside):
    """20 fieldworkers (a quarter with narrower hours of their own), the business's hours,
    two services and the bookings, each assigned to one fieldworker in turn."""
    Settings.current()
    customer = Customer.create(name="Casey", email="casey@example.com")
    service = Service.create(name="Regular clean", duration_minutes=120, price=9000)
    Service.create(name="Deep clean", duration_minutes=240, price=20000)
    insert_chunks(Staff, [{"name": f"Worker {n:02d}", "email": f"w{n}@example.com",
                            "role": "fieldworker", "created_at": NOW} for n in range(WORKERS)])
    workers = [s.id for s in Staff.select(Staff.id).order_by(Staff.id)]
    hours = [{"staff": None, "weekday": d, "start_minute": 8 * 60, "end_minute": 18 * 60}
             for d in range(6)]
    hours += [{"staff": w, "weekday": d, "start_minute": 9 * 60, "end_minute": 15 * 60}
              for w in workers[::4] for d in range(5)]
    rows = [{"ref": f"BK-{n:07d}", "customer": customer.id, "service": service.id,
             "starts_at": start, "ends_at": start + timedelta(hours=2), "price": 9000,
             "status": "scheduled", "created_at": NOW}
            for n, start in enumerate(_starts(total, inside))]
    with database.atomic():
        insert_chunks(WorkingHours, hours)
        insert_chunks(Booking, rows)
        ids = [b.id for b in Booking.select(Booking.id).order_by(Booking.id)]
        insert_chunks(Assignment, [{"booking": b, "staff": workers[n % WORKERS]}
                                    for n, b in enumerate(ids)])
    return service


def _database(total, inside):
    """A fresh SQLite file with the schema and the bookings; left connected."""
    db = open_database(f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}")
    db.connect()
    upgrade()
    service = _seed(total, inside)
    db.execute_sql("ANALYZE")
    return db, service


def main():
    """Time each case's 14-day grid and one check_slot, taking turns between the databases
    so that a busy machine slows every case alike. Returns the medians and maxima (ms)."""
    create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "bench"})  # config and models
    cases = [_database(total, inside) for total, inside in CASES]
    start_day = (NOW - timedelta(hours=5)).date()  # the local date in New York
    grids, checks, slots = [[] for _ in CASES], [[] for _ in CASES], []
    for db, service in cases:
        database.initialize(db)
        slots.append(free_slots(service, start_day, start_day + timedelta(days=DAYS - 1),
                                settings=Settings.current(), now=NOW))  # warm-up
    for _ in range(RUNS):
        for n, (db, service) in enumerate(cases):
            database.initialize(db)
            settings = Settings.current()
            began = time.perf_counter()
            free_slots(service, start_day, start_day + timedelta(days=DAYS - 1),
                       settings=settings, now=NOW)
            middle = time.perf_counter()
            check_slot(service, slots[n][len(slots[n]) // 2].starts_at, settings=settings,
                       now=NOW)
            grids[n].append((middle - began) * 1000)
            checks[n].append((time.perf_counter() - middle) * 1000)
    results = []
    for (total, inside), grid, check, found in zip(CASES, grids, checks, slots):
        results.append((total, inside, statistics.median(grid), max(grid)))
        print(f"free_slots, {DAYS} days x {WORKERS} fieldworkers, {total:,} bookings "
              f"({inside:,} in the window): median {statistics.median(grid):.1f} ms, max "
              f"{max(grid):.1f} ms ({len(found)} slots); check_slot median "
              f"{statistics.median(check):.1f} ms")
    for db, _ in cases:
        db.close()
    return results


if __name__ == "__main__":
    main()
