"""A small business whose cancellation report was worked out by hand (see the figures below).

Times are wall-clock America/New_York (EDT, UTC-4 in May and June). The current period is the
custom range 2026-06-01..2026-06-14 (weeks Jun 1–7 and Jun 8–14); the previous period is the
14 days before, 2026-05-18..2026-05-31.

 #  appointment        service  workers      status     cancelled at       by / channel / reason
 1  Jun 2 10:00        Clean    Fred         cancelled  Jun 1 14:00 (20 h) customer portal "Schedule conflict", fee 25.00, refund 40.00 requested
 2  Jun 3 10:00        Clean    Fred         completed
 3  Jun 5 09:00        Windows  Gina         cancelled  Jun 3 09:00 (48 h) admin admin "Other": "Dog is sick"
 4  Jun 6 12:00        Windows  Gina         no_show    no-show fee 30.00
 5  Jun 9 10:00        Clean    Fred + Gina  cancelled  May 30 10:00 (240 h) customer email_link "Price", refund 100.00 processed
 6  Jun 10 15:00       Clean    Gina         completed  moved twice
 7  Jun 12 08:00       Windows  Fred         cancelled  Jun 10 20:00 (36 h) fieldworker fieldworker "Other": "=Gate locked, \"side\" door"
 8  Jun 14 16:00       Clean    Fred         scheduled  moved once
 9  Jun 14 23:30       Clean    Fred         completed  (Jun 15 03:30 UTC: still the 14th here)
10  Jun 1 00:15        Windows  Gina         completed  (Jun 1 04:15 UTC)
11  May 31 23:45       Clean    Fred         cancelled  May 29 23:45 (48 h) customer portal "Schedule conflict"  <- previous period
12  May 19 10:00       Clean    Fred         completed                                               <- previous period
13  May 20 10:00       Clean    Fred         completed                                               <- previous period
14  May 26 10:00       Windows  Gina         completed                                               <- previous period
15  Jun 15 10:00       Clean    Fred         cancelled  (after the period: not counted)
16  May 17 10:00       Clean    Fred         cancelled  (before the previous period: not counted)

Clean costs 100.00 and Windows 60.00.
"""
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from playhouse.db_url import connect
from playhouse.migrations import Runner

from portal.billing.models import Invoice, InvoiceLine, Refund
from portal.bookings.models import Assignment, Booking, Service
from portal.kernel.db import database
from portal.kernel.migrate import MIGRATIONS
from portal.models import ALL_MODELS
from portal.people import Customer, Staff
from portal.settings import CancellationReason, Settings, ensure_default_reasons
from tests.support.database import models_as_of
from tests.support.factories import person

TZ = ZoneInfo("America/New_York")


def utc(month, day, hour, minute=0):
    local = datetime(2026, month, day, hour, minute, tzinfo=TZ)
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def build_report_world():
    settings = Settings.current()
    settings.timezone = "America/New_York"
    settings.save()
    ensure_default_reasons()
    reasons = {r.label: r for r in CancellationReason.select()}
    admin = person(Staff, name="Ada Admin", email="admin@example.com", role="admin")
    fred = person(Staff, name="Fred Worker", email="fred@example.com", role="fieldworker")
    gina = person(Staff, name="Gina Helper", email="gina@example.com", role="fieldworker")
    casey = person(Customer, name="Casey Customer", email="casey@example.com")
    clean = Service.create(name="Clean", duration_minutes=60, price=10000)
    windows = Service.create(name="Windows", duration_minutes=60, price=6000)
    by_kind = {"customer": casey.id, "admin": admin.id, "fieldworker": fred.id}
    made = {}

    def make(n, start, service, workers, status="completed", cancelled=None, kind=None,
             channel=None, reason=None, note=None, moves=0):
        b = Booking.create(
            ref=f"BK-TEST{n:02d}", customer=casey, service=service, starts_at=start,
            ends_at=start + timedelta(minutes=60), price=service.price, status=status,
            reschedule_count=moves, cancelled_at=cancelled, cancelled_by_kind=kind,
            cancelled_by_id=by_kind.get(kind), cancel_channel=channel,
            cancel_reason=reasons[reason] if reason else None, cancel_reason_label=reason,
            cancel_note=note)
        for worker in workers:
            Assignment.create(booking=b, staff=worker)
        made[n] = b
        return b

    make(1, utc(6, 2, 10), clean, [fred], "cancelled", utc(6, 1, 14), "customer", "portal",
         "Schedule conflict")
    make(2, utc(6, 3, 10), clean, [fred])
    make(3, utc(6, 5, 9), windows, [gina], "cancelled", utc(6, 3, 9), "admin", "admin",
         "Other", "Dog is sick")
    make(4, utc(6, 6, 12), windows, [gina], "no_show")
    make(5, utc(6, 9, 10), clean, [fred, gina], "cancelled", utc(5, 30, 10), "customer",
         "email_link", "Price")
    make(6, utc(6, 10, 15), clean, [gina], moves=2)
    make(7, utc(6, 12, 8), windows, [fred], "cancelled", utc(6, 10, 20), "fieldworker",
         "fieldworker", "Other", '=Gate locked, "side" door')
    make(8, utc(6, 14, 16), clean, [fred], "scheduled", moves=1)
    make(9, utc(6, 14, 23, 30), clean, [fred])
    make(10, utc(6, 1, 0, 15), windows, [gina])
    make(11, utc(5, 31, 23, 45), clean, [fred], "cancelled", utc(5, 29, 23, 45), "customer",
         "portal", "Schedule conflict")
    make(12, utc(5, 19, 10), clean, [fred])
    make(13, utc(5, 20, 10), clean, [fred])
    make(14, utc(5, 26, 10), windows, [gina])
    make(15, utc(6, 15, 10), clean, [fred], "cancelled", utc(6, 14, 10), "customer", "portal",
         "Price")
    make(16, utc(5, 17, 10), clean, [fred], "cancelled", utc(5, 16, 10), "customer", "portal",
         "Price")

    def invoice(n):
        return Invoice.create(booking=made[n], customer=casey)

    first, fifth, fourth = invoice(1), invoice(5), invoice(4)
    InvoiceLine.create(invoice=first, kind="cancellation_fee", description="Late fee",
                       amount=2500)
    InvoiceLine.create(invoice=fourth, kind="no_show_fee", description="No-show fee",
                       amount=3000)
    Refund.create(invoice=first, amount=4000, status="requested", requested_by_kind="customer")
    Refund.create(invoice=fifth, amount=10000, status="processed", requested_by_kind="admin")
    return SimpleNamespace(settings=settings, admin=admin, fred=fred, gina=gina, casey=casey,
                           clean=clean, windows=windows, bookings=made)


PERIOD = {"preset": "custom", "from": "2026-06-01", "to": "2026-06-14"}


@contextmanager
def report_world_before(make_database_url, name, migration, tz="America/New_York"):
    """A fresh database `name` migrated up to `migration` (the one before the migration a test
    checks), holding this world and a report_state counted in `tz`; the app's database proxy
    points at it inside (the report reads through it) and back afterwards. Yields the
    migration runner, models bound to the database."""
    db = connect(make_database_url(name))
    previous = database.obj
    database.initialize(db)
    try:
        runner = Runner(db, str(MIGRATIONS))
        runner.up(migration)
        mark = "?" if "sqlite" in type(db).__name__.lower() else "%s"
        with db.bind_ctx(ALL_MODELS):
            with models_as_of(db):  # the tables and columns later migrations add aren't there
                build_report_world()
            db.execute_sql(f"INSERT INTO report_state (timezone) VALUES ({mark})", [tz])
            yield runner
    finally:
        database.initialize(previous)
        db.close()
