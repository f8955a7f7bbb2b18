"""free_slots and check_slot with `now` injected: hours, blocks, bookings, staff, DST, queries.

The business is in America/New_York; 2030-01-07 is a Monday in standard time (UTC-5).
"""
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from flask_babel import get_locale
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from portal.bookings import availability as av
from portal.bookings.hours import local_to_utc, parse_clock as minutes
from portal.bookings.models import Assignment, Booking, Service
from portal.bookings.schedule_models import BlockedTime, ServiceStaff, WorkingHours
from portal.kernel.db import database, is_postgres
from portal.kernel.errors import Conflict, InvalidInput
from portal.kernel.timefmt import to_local
from portal.people import Customer, Staff
from portal.settings import Settings
from tests.support.queries import count_queries, statements

TZ = "America/New_York"
MONDAY = date(2030, 1, 7)
BEFORE = datetime(2030, 1, 1)  # a `now` well before every slot here


def utc(day, clock):
    """Naive UTC for a local wall-clock 'HH:MM' on `day`."""
    return local_to_utc(datetime.combine(day, time()) + timedelta(minutes=minutes(clock)),
                        ZoneInfo(TZ))


def local(dt):
    return to_local(dt, TZ).strftime("%H:%M")


@pytest.fixture
def biz(app):
    """Ann and Bob (fieldworkers), a one-hour service, Monday hours 09:00-13:00, hourly steps."""
    settings = Settings.current()
    Settings.update(timezone=TZ, slot_step_minutes=60).execute()
    ann = Staff.create(name="Ann", email="ann@example.com", role="fieldworker")
    bob = Staff.create(name="Bob", email="bob@example.com", role="fieldworker")
    Staff.create(name="Ada Admin", email="admin@example.com", role="admin")  # never offered
    customer = Customer.create(name="Casey", email="casey@example.com")
    service = Service.create(name="Tune-up", duration_minutes=60, price=5000)
    WorkingHours.create(weekday=0, start_minute=minutes("09:00"), end_minute=minutes("13:00"))
    return SimpleNamespace(settings=settings, ann=ann, bob=bob, customer=customer,
                           service=service)


def hours_for(staff, weekday, start, end):
    WorkingHours.create(staff=staff, weekday=weekday, start_minute=minutes(start),
                        end_minute=minutes(end))


def block(start, end, staff=None, day=MONDAY):
    BlockedTime.create(staff=staff, starts_at=utc(day, start), ends_at=utc(day, end))


def book(b, clock, staff, status="scheduled", day=MONDAY, service=None):
    service = service or b.service
    starts_at = utc(day, clock)
    booking = Booking.create(customer=b.customer, service=service, starts_at=starts_at,
                             ends_at=starts_at + timedelta(minutes=service.duration_minutes),
                             price=service.price, status=status)
    Assignment.create(booking=booking, staff=staff)
    return booking


def offered(b, day=MONDAY, now=BEFORE, **kwargs):
    """{local 'HH:MM': (staff names, best first)} for one day."""
    names = {s.id: s.name for s in Staff.select()}
    slots = av.free_slots(b.service, day, day, settings=Settings.current(), now=now, **kwargs)
    return {local(s.starts_at): tuple(names[i] for i in s.staff_ids) for s in slots}


BOTH = ("Ann", "Bob")
CASES = [
    ("business hours", lambda b: None, {},
     {"09:00": BOTH, "10:00": BOTH, "11:00": BOTH, "12:00": BOTH}),
    ("a fieldworker's narrower hours", lambda b: hours_for(b.ann, 0, "10:00", "12:00"), {},
     {"09:00": ("Bob",), "10:00": BOTH, "11:00": BOTH, "12:00": ("Bob",)}),
    ("own hours never reach outside the business's",
     lambda b: hours_for(b.ann, 0, "07:00", "10:00"), {},
     {"09:00": BOTH, "10:00": ("Bob",), "11:00": ("Bob",), "12:00": ("Bob",)}),
    ("blocked time, business-wide", lambda b: block("10:00", "11:30"), {},
     {"09:00": BOTH, "12:00": BOTH}),
    ("blocked time, personal", lambda b: block("10:00", "11:00", b.ann), {},
     {"09:00": BOTH, "10:00": ("Bob",), "11:00": BOTH, "12:00": BOTH}),
    ("a booking makes its fieldworker busy; least booked first",
     lambda b: book(b, "10:30", b.ann), {},
     {"09:00": ("Bob", "Ann"), "10:00": ("Bob",), "11:00": ("Bob",), "12:00": ("Bob", "Ann")}),
    ("cancelled and no-show bookings release their time",
     lambda b: (book(b, "10:00", b.ann, "cancelled"), book(b, "11:00", b.ann, "no_show")), {},
     {"09:00": BOTH, "10:00": BOTH, "11:00": BOTH, "12:00": BOTH}),
    ("a booking that began before the window still counts",
     lambda b: book(b, "08:00", b.ann, service=Service.create(
         name="Long", duration_minutes=300, price=1)), {},
     {"09:00": ("Bob",), "10:00": ("Bob",), "11:00": ("Bob",), "12:00": ("Bob",)}),
    ("real-time off ignores bookings and blocks, not hours",
     lambda b: (book(b, "10:00", b.ann), block("11:00", "12:00"),
                hours_for(b.bob, 0, "09:00", "11:00")), {"real_time": False},
     {"09:00": ("Bob", "Ann"), "10:00": ("Bob", "Ann"), "11:00": ("Ann",), "12:00": ("Ann",)}),
    ("the settings' flag decides when real_time is not given",
     lambda b: (Settings.update(real_time_availability=False).execute(), block("09:00", "13:00")),
     {}, {"09:00": BOTH, "10:00": BOTH, "11:00": BOTH, "12:00": BOTH}),
    ("one fieldworker only", lambda b: book(b, "10:00", b.bob), {"fieldworker": "bob"},
     {"09:00": ("Bob",), "11:00": ("Bob",), "12:00": ("Bob",)}),
    ("qualified staff (ServiceStaff) limit who is offered",
     lambda b: ServiceStaff.create(service=b.service, staff=b.bob), {},
     {"09:00": ("Bob",), "10:00": ("Bob",), "11:00": ("Bob",), "12:00": ("Bob",)}),
    ("inactive fieldworkers are not offered",
     lambda b: Staff.update(active=False).where(Staff.id == b.ann.id).execute(), {},
     {"09:00": ("Bob",), "10:00": ("Bob",), "11:00": ("Bob",), "12:00": ("Bob",)}),
    ("step 30", lambda b: Settings.update(slot_step_minutes=30).execute(), {},
     {t: BOTH for t in ("09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00")}),
    ("step 15 follows the clock, not the span's start",
     lambda b: (WorkingHours.delete().execute(),
                WorkingHours.create(weekday=0, start_minute=minutes("09:10"),
                                    end_minute=minutes("10:40")),
                Settings.update(slot_step_minutes=15).execute()), {},
     {"09:15": BOTH, "09:30": BOTH}),
    ("nobody free, no slot", lambda b: block("09:00", "13:00"), {}, {}),
]


@pytest.mark.parametrize("name,setup,kwargs,expected", CASES, ids=[c[0] for c in CASES])
def test_free_slots(biz, name, setup, kwargs, expected):
    setup(biz)
    if kwargs.get("fieldworker") == "bob":
        kwargs = dict(kwargs, fieldworker=biz.bob.id)
    assert offered(biz, **kwargs) == expected


def test_ignore_booking_frees_its_own_time(biz):
    mine = book(biz, "10:00", biz.ann)
    book(biz, "10:00", biz.bob)
    assert "10:00" not in offered(biz)
    assert offered(biz, ignore_booking=mine.id)["10:00"] == ("Ann",)


def test_the_past_is_not_offered(biz):
    assert list(offered(biz, now=utc(MONDAY, "10:30"))) == ["11:00", "12:00"]
    assert list(offered(biz, now=utc(MONDAY, "11:00"))) == ["12:00"]  # starts after now
    assert offered(biz, now=utc(MONDAY + timedelta(days=1), "00:00")) == {}


def test_default_hours_when_none_are_set(biz):
    WorkingHours.delete().execute()
    days = av.free_slots(biz.service, MONDAY, MONDAY + timedelta(days=6),
                         settings=Settings.current(), now=BEFORE)
    by_day = {}
    for slot in days:
        by_day.setdefault(to_local(slot.starts_at, TZ).strftime("%a"), []).append(
            local(slot.starts_at))
    assert by_day["Mon"] == [f"{h:02d}:00" for h in range(8, 18)]
    assert by_day["Fri"] == by_day["Mon"]
    assert by_day["Sat"] == ["09:00", "10:00", "11:00", "12:00"]
    assert "Sun" not in by_day


def test_fieldworker_hours_on_another_weekday_close_them_today(biz):
    hours_for(biz.ann, 1, "09:00", "13:00")  # Ann has her own week: Tuesdays only
    assert set(offered(biz).values()) == {("Bob",)}


# --- Daylight saving: hours 00:00-04:00 every day, so the change is inside working hours ---

@pytest.fixture
def night(biz):
    WorkingHours.delete().execute()
    for weekday in range(7):
        WorkingHours.create(weekday=weekday, start_minute=0, end_minute=minutes("04:00"))
    Settings.update(slot_step_minutes=30).execute()
    return biz


def _starts(b, day):
    slots = av.free_slots(b.service, day, day, settings=Settings.current(), now=BEFORE.replace(
        year=2026))
    return [s.starts_at for s in slots]


def test_spring_forward_skips_the_hour_that_never_happens(night):
    starts = _starts(night, date(2026, 3, 8))  # 2:00 EST becomes 3:00 EDT
    assert len(starts) == len(set(starts))
    assert [local(s) for s in starts] == ["00:00", "00:30", "01:00", "01:30", "03:00"]
    # 00:00 EST to 04:00 EDT is three real hours; a one-hour visit fits at every half hour.
    assert starts == [datetime(2026, 3, 8, 5) + timedelta(minutes=30 * n) for n in range(5)]


def test_fall_back_offers_the_repeated_hour_twice_without_duplicates(night):
    starts = _starts(night, date(2026, 11, 1))  # 2:00 EDT becomes 1:00 EST
    assert len(starts) == len(set(starts))
    assert [local(s) for s in starts] == ["00:00", "00:30", "01:00", "01:30", "01:00", "01:30",
                                          "02:00", "02:30", "03:00"]
    # 00:00 EDT to 04:00 EST is five real hours, every half hour offered, none skipped.
    assert starts == [datetime(2026, 11, 1, 4) + timedelta(minutes=30 * n) for n in range(9)]
    for start in starts:
        assert av.check_slot(night.service, start, settings=Settings.current(),
                             now=datetime(2026, 1, 1)).starts_at == start


def test_ordinary_days_around_the_change_keep_their_wall_clock_hours(night):
    for day in (date(2026, 3, 7), date(2026, 3, 9), date(2026, 10, 31), date(2026, 11, 2)):
        assert [local(s) for s in _starts(night, day)] == [
            "00:00", "00:30", "01:00", "01:30", "02:00", "02:30", "03:00"]


# --- check_slot: each refusal says why --------------------------------------------------

REFUSALS = [
    ("in the past", "10:00", {}, lambda b: None, InvalidInput, "already passed"),
    ("off the grid", "10:20", {}, lambda b: None, InvalidInput, "start every 60 minutes"),
    ("before opening", "07:00", {}, lambda b: None, InvalidInput,
     "We work 9:00 AM\u20131:00 PM on Mondays."),
    ("runs past closing", "12:30", {}, lambda b: Settings.update(slot_step_minutes=30).execute(),
     InvalidInput, "Tune-up takes 1 hour, so it can't start as late as 12:30 PM"),
    ("fieldworker not qualified", "10:00", {"fieldworker": "ann"},
     lambda b: ServiceStaff.create(service=b.service, staff=b.bob), InvalidInput,
     "Ann doesn't do Tune-up"),
    ("fieldworker's own hours", "12:00", {"fieldworker": "ann"},
     lambda b: hours_for(b.ann, 0, "09:00", "11:00"), InvalidInput,
     "Ann works 9:00 AM\u201311:00 AM on Mondays."),
    ("nobody works then", "12:00", {},
     lambda b: (hours_for(b.ann, 0, "09:00", "11:00"), hours_for(b.bob, 0, "09:00", "11:00")),
     InvalidInput, "Nobody who does Tune-up works then"),
    ("taken", "10:00", {}, lambda b: (book(b, "10:00", b.ann), book(b, "09:30", b.bob)),
     Conflict, av.TAKEN),
    ("blocked", "10:00", {"fieldworker": "bob"}, lambda b: block("09:00", "10:30", b.bob),
     Conflict, av.TAKEN),
]


@pytest.mark.parametrize("name,clock,kwargs,setup,error,message", REFUSALS,
                         ids=[r[0] for r in REFUSALS])
def test_check_slot_refusals(biz, name, clock, kwargs, setup, error, message):
    setup(biz)
    kwargs = {k: getattr(biz, v).id if k == "fieldworker" else v for k, v in kwargs.items()}
    now = utc(MONDAY, "11:00") if name == "in the past" else BEFORE
    with pytest.raises(error) as caught:
        av.check_slot(biz.service, utc(MONDAY, clock), settings=Settings.current(), now=now,
                      **kwargs)
    assert message in caught.value.message
    if error is Conflict:
        assert caught.value.code == "slot_taken" and caught.value.status == 409
    else:
        assert caught.value.status == 422


def test_check_slot_closed_day_and_unknown_fieldworker(biz):
    sunday = MONDAY - timedelta(days=1)
    with pytest.raises(InvalidInput, match="We're closed on Sundays."):
        av.check_slot(biz.service, utc(sunday, "10:00"), settings=Settings.current(),
                      now=BEFORE)
    with pytest.raises(InvalidInput, match="can't take bookings"):
        av.check_slot(biz.service, utc(MONDAY, "10:00"), settings=Settings.current(),
                      now=BEFORE, fieldworker=99999)


def test_check_slot_returns_the_free_staff_best_first(biz):
    book(biz, "12:00", biz.ann)
    slot = av.check_slot(biz.service, utc(MONDAY, "10:00"), settings=Settings.current(),
                         now=BEFORE)
    assert slot == av.Slot(utc(MONDAY, "10:00"), utc(MONDAY, "11:00"), (biz.bob.id, biz.ann.id))


def test_qualified_staff_by_name(biz):
    assert [s.name for s in av.qualified_staff(biz.service)] == ["Ann", "Bob"]
    ServiceStaff.create(service=biz.service, staff=biz.bob)
    assert [s.name for s in av.qualified_staff(biz.service)] == ["Bob"]


# --- A fixed number of queries, however many bookings the window holds ------------------

def _bulk(b, count):
    """`count` scheduled bookings inside the next two weeks, alternating Ann and Bob."""
    rows = [{"ref": f"BK-0{i:06d}", "customer": b.customer.id, "service": b.service.id,
             "starts_at": utc(MONDAY, "09:00") + timedelta(minutes=37 * i),
             "ends_at": utc(MONDAY, "10:00") + timedelta(minutes=37 * i), "price": 1,
             "status": "scheduled"} for i in range(count)]
    with database.atomic():
        for start in range(0, count, 100):
            Booking.insert_many(rows[start:start + 100]).execute()
        ids = [r.id for r in Booking.select(Booking.id).where(Booking.ref.startswith("BK-0"))]
        Assignment.insert_many([{"booking": i, "staff": (b.ann, b.bob)[i % 2].id}
                                for i in ids]).execute()


def _queries(b):
    settings = Settings.current()
    # The request's language is chosen once per request (a real page has by now: it reads the
    # settings row anyway); a refusal's message is then translated without a statement.
    get_locale()
    with count_queries() as seen:
        av.free_slots(b.service, MONDAY, MONDAY + timedelta(days=13), settings=settings,
                      now=BEFORE)
    with count_queries() as checked:
        try:
            av.check_slot(b.service, utc(MONDAY, "09:00"), settings=settings, now=BEFORE)
        except Conflict:
            pass  # taken or not, the same statements
    return len(seen), len(checked)


def test_queries_do_not_grow_with_bookings_in_the_window(biz):
    _bulk(biz, 1)
    few = _queries(biz)
    Booking.delete().execute()
    _bulk(biz, 500)
    assert Booking.select().where(Booking.starts_at < utc(MONDAY + timedelta(days=14),
                                                          "00:00")).count() == 500
    assert _queries(biz) == few
    assert few[0] <= 5, few


def test_bookings_are_found_through_the_starts_at_index(biz):
    with statements() as seen:
        av.free_slots(biz.service, MONDAY, MONDAY, settings=Settings.current(), now=BEFORE)
    sql, params = next(m for m in seen if 'FROM "booking"' in m[0])
    if is_postgres():
        # With a handful of rows PostgreSQL rightly prefers a sequential scan; forbidding it
        # shows an index on starts_at can answer the query (the planner's choice at scale).
        with database.atomic():
            database.execute_sql("SET LOCAL enable_seqscan = off")
            plan = " ".join(row[0] for row in database.execute_sql("EXPLAIN " + sql, params))
        assert "Index" in plan and "starts_at" in plan, plan
        return
    plan = " ".join(row[-1] for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql,
                                                            params).fetchall())
    assert "SEARCH t1 USING INDEX" in plan and "starts_at" in plan, plan


# --- Property: free_slots and check_slot agree on every start of a day --------------------

DAYS = [MONDAY, MONDAY + timedelta(days=5), date(2026, 3, 8), date(2026, 11, 1)]


@hsettings(max_examples=40, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.sampled_from(DAYS), step=st.sampled_from([15, 30, 60]),
       duration=st.sampled_from([30, 45, 60, 90, 150]),
       spans=st.lists(st.tuples(st.integers(0, 80), st.integers(4, 48)), min_size=1, max_size=2),
       own=st.lists(st.tuples(st.integers(0, 95), st.integers(1, 40)), max_size=2),
       busy=st.lists(st.tuples(st.integers(0, 95), st.integers(1, 12), st.booleans(),
                               st.sampled_from(["scheduled", "cancelled", "block"])),
                     max_size=6),
       real_time=st.booleans(), now_quarter=st.integers(-8, 60))
def test_every_slot_passes_check_slot_and_nothing_else_does(
        biz, day, step, duration, spans, own, busy, real_time, now_quarter):
    """Times are in quarter hours of the local day; everything is rolled back afterwards."""
    def at(quarter):
        return utc(day, "00:00") + timedelta(minutes=15 * quarter)

    with database.atomic() as txn:
        Settings.update(slot_step_minutes=step).execute()
        service = Service.create(name="Visit", duration_minutes=duration, price=1)
        for start, length in spans:
            WorkingHours.create(weekday=day.weekday(), start_minute=start * 15,
                                end_minute=min(96, start + length) * 15)
        for start, length in own:
            WorkingHours.create(staff=biz.ann, weekday=day.weekday(), start_minute=start * 15,
                                end_minute=min(96, start + length) * 15)
        for start, length, is_ann, kind in busy:
            who = biz.ann if is_ann else biz.bob
            if kind == "block":
                BlockedTime.create(staff=who, starts_at=at(start), ends_at=at(start + length))
            else:
                b = Booking.create(customer=biz.customer, service=service, price=1, status=kind,
                                   starts_at=at(start), ends_at=at(start + length))
                Assignment.create(booking=b, staff=who)
        settings, now = Settings.current(), at(now_quarter)
        slots = {s.starts_at: s for s in av.free_slots(service, day, day, settings=settings,
                                                       now=now, real_time=real_time)}
        for quarter in range(-8, 108):  # a little beyond the day, both sides
            start = at(quarter)
            try:
                checked = av.check_slot(service, start, settings=settings, now=now,
                                        real_time=real_time)
            except (InvalidInput, Conflict):
                checked = None
            assert checked == slots.get(start), (start, local(start))
            if checked is not None:
                slots.pop(start)
        assert slots == {}, "free_slots offered a start check_slot never saw"
        txn.rollback()
