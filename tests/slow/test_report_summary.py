"""The report summary (report_day) stays equal to counting every booking from scratch, through
the real services: book, reschedule, reassign, cancel, no-show, complete, delete; after a
timezone change; and with two processes changing bookings and refreshing at once."""
from collections import Counter
from datetime import timedelta

from playhouse.db_url import connect
from playhouse.migrations import Runner

from portal.bookings.availability import free_slots
from portal.bookings.details import update_details
from portal.bookings.models import Booking
from portal.bookings.scheduling import book_appointment, reschedule_booking
from portal.bookings.services import cancel_booking, mark_completed, mark_no_show
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.kernel.db import database
from portal.kernel.migrate import MIGRATIONS
from portal.kernel.timefmt import to_local
from portal.models import ALL_MODELS
from portal.reports import summary
from portal.reports.models import ReportDay, ReportDirty, ReportState
from portal.settings import Settings
from tests.support import report_summary_proc
from tests.support.database import models_as_of
from tests.support.factories import booking as make_booking
from tests.support.processes import run_together
from tests.support.report_fixture import build_report_world



def free(service, days_ahead, index=0):
    settings, now = Settings.current(), utcnow()
    day = to_local(now, settings.timezone).date() + timedelta(days=days_ahead)
    for _ in range(14):
        slots = free_slots(service, day, day, settings=settings, now=now)
        if len(slots) > index:
            return slots[index]
        day += timedelta(days=1)
    raise AssertionError("no free slots in two weeks")


def stored():
    return Counter(ReportDay.select(*summary.FIELDS).tuples())


COUNT = summary.count  # from scratch, even while a test watches summary.count


def from_scratch(tz):
    return Counter(COUNT(tz))


def assert_current():
    tz = Settings.current().timezone
    summary.refresh(tz)
    assert ReportDirty.select().count() == 0
    assert stored() == from_scratch(tz)


def test_every_kind_of_change_keeps_the_summary_exact(world, monkeypatch):
    admin = Actor("admin", world.admin.id, world.admin.name)
    tz = Settings.current().timezone
    summary.refresh(tz)  # the first refresh counts everything
    assert ReportState.get().timezone == tz and stored() == from_scratch(tz)
    own_rows = ReportDay.select().where(ReportDay.staff_id == 0)
    assert sum(r.bookings for r in own_rows) == Booking.select().count()

    recounted = []
    monkeypatch.setattr(summary, "count",
                        lambda tz, days=None: recounted.append(days) or COUNT(tz, days))
    for _ in (1,):  # the changes, each followed by a refresh
        made = book_appointment(world.customer.id, world.service.id,
                                free(world.service, 5).starts_at, admin, channel="admin")
        assert_current()
        reschedule_booking(made.ref, admin, channel="admin",
                           starts_at=free(world.service, 9).starts_at)
        assert_current()
        update_details(world.upcoming.ref, admin, address="1 New Road", notes="",
                       fieldworkers=[str(world.fw2.id)],
                       expected_version=Booking.get_by_id(world.upcoming.id).version)
        assert_current()
        cancel_booking(world.upcoming.ref, admin, channel="admin", note="Away")
        cancel_booking(made.ref, Actor("customer", world.customer.id, world.customer.name),
                       channel="portal")
        assert_current()
        mark_no_show(world.past.ref, admin, channel="admin")
        visited = make_booking(world.customer, world.service, -timedelta(hours=3), world.fw)
        mark_completed(visited.ref, admin, channel="admin")
        assert_current()
        Booking.update(price=Booking.price + 100).where(Booking.id == world.later.id).execute()
        Booking.delete().where(Booking.id == world.others.id).execute()
        assert_current()
        Booking.update(address="No count changes").execute()  # nothing the report reads
        assert ReportDirty.select().count() == 0
    # Each change recounted only its own days, never every booking.
    assert recounted and all(days is not None and len(days) <= 2 for days in recounted)


def test_a_timezone_change_recounts_every_day(world):
    settings = Settings.current()
    summary.refresh(settings.timezone)
    late = make_booking(world.customer, world.service, timedelta(days=2))
    Booking.update(starts_at=late.starts_at.replace(hour=23, minute=30)).where(
        Booking.id == late.id).execute()
    settings.timezone = "Pacific/Auckland" if settings.timezone != "Pacific/Auckland" else "UTC"
    settings.save()
    summary.refresh(settings.timezone)
    assert ReportState.get().timezone == settings.timezone
    assert stored() == from_scratch(settings.timezone)
    assert stored() != from_scratch("America/Los_Angeles")  # the days really moved


def test_concurrent_changes_and_refreshes_never_double_count(app, world, database_url):
    """Two processes each cancel and move bookings while refreshing after every change; the
    summary ends equal to counting from scratch (nothing counted twice, nothing missed)."""
    tz = Settings.current().timezone
    summary.refresh(tz)
    refs = [make_booking(world.customer, world.service, timedelta(days=3 + i % 5, hours=i)).ref
            for i in range(20)]
    database.close()  # the workers must not wait behind us
    outcomes = run_together(report_summary_proc.churn, 2, 120,
                            args_for=lambda i: (database_url, refs[i::2], tz))
    assert all(o["status"] == "ok" for o in outcomes), outcomes
    database.connect(reuse_if_open=True)
    summary.refresh(tz)
    assert Booking.select().where(Booking.status == "cancelled").count() >= 10
    assert stored() == from_scratch(tz)


def test_the_migration_counts_the_bookings_already_there(make_database_url):
    db = connect(make_database_url("rebook_report_backfill"))
    runner = Runner(db, str(MIGRATIONS))
    runner.up("0016_login_sessions")
    with db.bind_ctx(ALL_MODELS):
        with models_as_of(db):  # the columns later migrations add aren't there yet
            rw = build_report_world()  # America/New_York, bookings near midnight
        assert runner.up("0017_report_summary") == ["0017_report_summary"]
        assert ReportState.get().timezone == "America/New_York"
        assert ReportDirty.select().count() == 0
        assert stored() == from_scratch("America/New_York")
        assert sum(r.bookings for r in ReportDay.select() if r.staff_id == 0) == 16
        Booking.update(status="cancelled").where(Booking.id == rw.bookings[2].id).execute()
        assert ReportDirty.select().count() == 1  # the triggers are in place
    db.close()
