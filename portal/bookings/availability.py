"""When a service can start: free slots for the pickers and the check every booking passes.

A start is offered when the whole visit fits the business's hours that local day and the
fieldworker's own (if they have any), lies after `now`, and, with real-time availability on,
overlaps no blocked time and no scheduled booking of theirs. Each call runs a fixed handful of
queries (qualified staff, working hours, longest service, blocked time, bookings in the
window), however many days, slots or bookings there are; the rest is arithmetic on intervals.
See portal/bookings/hours.py for how wall-clock hours meet daylight-saving changes.
"""
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import gettext
from peewee import SQL, fn

from ..kernel.db import database
from ..kernel.errors import Conflict, InvalidInput
from ..kernel.i18n import N_
from ..kernel.timefmt import to_local
from ..people import Staff
from . import hours
from .models import SCHEDULED, Assignment, Booking, Service
from .schedule_models import BlockedTime, ServiceStaff, WorkingHours

TAKEN = N_("That time was just taken. Please pick another time.")
STEPS = (15, 30, 60)


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # naive UTC (how every timestamp is stored)
    ends_at: datetime    # starts_at + service.duration_minutes
    staff_ids: tuple     # qualified fieldworkers free (real-time off: working) then; best first


def qualified_staff(service):
    """Active fieldworkers who do `service`, by name: its ServiceStaff rows, or everyone when it
    has none. One query."""
    listed = ServiceStaff.select(ServiceStaff.staff).where(ServiceStaff.service == service.id)
    anyone = ~fn.EXISTS(ServiceStaff.select(SQL("1")).where(ServiceStaff.service == service.id))
    return list(Staff.select()
                .where(Staff.active & (Staff.role == Staff.FIELDWORKER)
                       & (Staff.id.in_(listed) | anyone))
                .order_by(Staff.name, Staff.id))


def free_slots(service, start_day, end_day, *, settings, now, fieldworker=None,
               ignore_booking=None, real_time=None):
    """Bookable starts on the local days start_day..end_day (inclusive), in time order. With
    real-time availability off, bookings still order the staff (least booked first) but never
    make anyone busy, and blocked time is not even read."""
    days = [start_day + timedelta(days=n) for n in range((end_day - start_day).days + 1)]
    if not days:
        return []
    plan = _Plan(service, days, settings, fieldworker, ignore_booking, real_time, now)
    return [Slot(start, plan.end(start), staff) for day in days
            for start, staff in plan.offers(day) if start > now]


def check_slot(service, starts_at, *, settings, now, fieldworker=None, ignore_booking=None,
               real_time=None):
    """The Slot at `starts_at` (naive UTC), or InvalidInput saying why it can't be booked, or
    Conflict("slot_taken") when it is taken. Looks at that local day only."""
    local = to_local(starts_at, settings.timezone)
    step = _step(settings)
    if starts_at <= now:
        raise InvalidInput(gettext("That time has already passed. Please pick a later time."))
    if local.second or local.microsecond or (local.hour * 60 + local.minute) % step:
        raise InvalidInput(f"Appointments start every {step} minutes (for example "
                           f"{hours.minute_text(9 * 60)}, {hours.minute_text(9 * 60 + step)}). "
                           "Please pick one of the times shown.")
    plan = _Plan(service, [local.date()], settings, fieldworker, ignore_booking, real_time, now)
    if fieldworker is not None and not plan.staff:
        raise InvalidInput(_not_qualified(fieldworker, service))
    end = plan.end(starts_at)
    open_, _, table = plan.day(local.date())
    if not hours.covers(open_, starts_at, end):
        raise InvalidInput(_outside_hours(plan, local, any(
            lo <= starts_at < hi for lo, hi in open_), service))
    if not any(hours.covers(working, starts_at, end) for _, working, _ in table):
        raise InvalidInput(_nobody_works(plan, local, service, fieldworker))
    staff = tuple(person.id for person, _, free in table if hours.covers(free, starts_at, end))
    if not staff:
        raise Conflict(gettext(TAKEN), "slot_taken")
    return Slot(starts_at, end, staff)


def free_staff(service, starts_at, ends_at, *, settings, now, ignore_booking=None):
    """Ids of the fieldworkers qualified for `service` who work and are free for the whole of
    [starts_at, ends_at) (an existing visit's own times, whatever the grid or the service's
    length say now), best first. For giving a booking to someone else."""
    day = to_local(starts_at, settings.timezone).date()
    plan = _Plan(service, [day], settings, None, ignore_booking, True, now)
    _, _, table = plan.day(day)
    return [person.id for person, _, free in table if hours.covers(free, starts_at, ends_at)]


def _stamp(value):
    """A DATETIME column's raw value (SQLite hands back text) as a naive datetime."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _step(settings):
    return settings.slot_step_minutes if settings.slot_step_minutes in STEPS else 30


def _not_qualified(fieldworker, service):
    person = Staff.get_or_none(Staff.id == fieldworker)
    if person is None or not person.active or person.role != Staff.FIELDWORKER:
        return "That fieldworker can't take bookings. Please choose another."
    return f"{person.name} doesn't do {service.name}. Please choose another fieldworker."


def _outside_hours(plan, local, starts_while_open, service):
    """'We work 8:00 AM–6:00 PM on Mondays.', with why when the visit runs past closing."""
    weekday = hours.WEEKDAYS[local.weekday()]
    spans = plan.business_week.get(local.weekday(), [])
    if not spans:
        return f"We're closed on {weekday}s."
    said = f"We work {hours.hours_text(spans)} on {weekday}s."
    if starts_while_open:
        return (f"{service.name} takes {hours.duration_text(service.duration_minutes)}, "
                f"so it can't start as late as {local.strftime('%-I:%M %p')}. {said}")
    return said


def _nobody_works(plan, local, service, fieldworker):
    if fieldworker is None:
        return f"Nobody who does {service.name} works then. Please pick another time."
    own = plan.staff_week(fieldworker).get(local.weekday(), [])
    return (f"{plan.staff[0].name} works {hours.hours_text(own)} on "
            f"{hours.WEEKDAYS[local.weekday()]}s. Please pick another time or fieldworker.")


class _Plan:
    """Everything one call needs, fetched up front for the local `days`."""

    def __init__(self, service, days, settings, fieldworker, ignore_booking, real_time, now):
        self.tz = ZoneInfo(settings.timezone)
        self.step = _step(settings)
        self.duration = timedelta(minutes=service.duration_minutes)
        self.real_time = settings.real_time_availability if real_time is None else real_time
        self.staff = [s for s in qualified_staff(service)
                      if fieldworker is None or s.id == fieldworker]
        first, last = datetime.combine(days[0], time()), datetime.combine(days[-1], time())
        # A day's UTC instants lie within 14 hours of its wall-clock midnights (widest offsets).
        self.segments = hours.offset_segments(self.tz, first - timedelta(days=1),
                                              last + timedelta(days=2))
        self._days = {}
        self.business_week, self.own_weeks = self._hours()
        self.busy, self.load = {s.id: [] for s in self.staff}, {}
        window = hours.merge(p for d in days for p in hours.day_pieces(
            d, [(0, hours.DAY_MINUTES)], self.segments))
        if self.staff and window[-1][1] > now:
            self._fetch_busy(window[0][0], window[-1][1], ignore_booking)
        self._ends = {s: [e for _, e in spans] for s, spans in self.busy.items()}

    def _hours(self):
        rows = list(WorkingHours.select(WorkingHours.staff, WorkingHours.weekday,
                                        WorkingHours.start_minute, WorkingHours.end_minute)
                    .tuples())
        business = hours.week_from_rows(r[1:] for r in rows if r[0] is None)
        own = {}
        for staff_id, *span in rows:
            if staff_id is not None:
                own.setdefault(staff_id, []).append(span)
        return (business or hours.DEFAULT_WEEK,
                {s: hours.week_from_rows(spans) for s, spans in own.items()})

    def _fetch_busy(self, lo, hi, ignore_booking):
        ids = [s.id for s in self.staff]
        blocked = []
        if self.real_time:
            for staff_id, start, end in (BlockedTime.select(
                    BlockedTime.staff, BlockedTime.starts_at, BlockedTime.ends_at)
                    .where((BlockedTime.starts_at < hi) & (BlockedTime.ends_at > lo)
                           & (BlockedTime.staff.is_null() | BlockedTime.staff.in_(ids)))
                    .tuples()):
                (blocked if staff_id is None else self.busy[staff_id]).append((start, end))
        # The starts_at index bounds the scan; a visit that began before the window can still
        # reach into it, but never by more than the longest service.
        longest = Service.select(fn.MAX(Service.duration_minutes)).scalar() or 0
        query = (Booking.select(Booking.id, Booking.starts_at, Booking.ends_at, Assignment.staff)
                 .join(Assignment, on=(Assignment.booking == Booking.id))
                 .where((Booking.status == SCHEDULED)
                        & (Booking.starts_at >= lo - timedelta(minutes=longest))
                        & (Booking.starts_at < hi) & (Booking.ends_at > lo)
                        & Assignment.staff.in_(ids)))
        # Raw rows: peewee's DateTimeField parsing (strptime, format by format) took more
        # time than everything else on a busy fortnight.
        for booking_id, start, end, staff_id in database.execute(query):
            if booking_id == ignore_booking:
                continue
            start, end = _stamp(start), _stamp(end)
            key = (staff_id, start.replace(tzinfo=timezone.utc).astimezone(self.tz).date())
            self.load[key] = self.load.get(key, 0) + 1
            if self.real_time:
                self.busy[staff_id].append((start, end))
        self.busy = {s: hours.merge(spans + blocked) for s, spans in self.busy.items()}

    def end(self, start):
        return start + self.duration

    def staff_week(self, staff_id):
        return self.own_weeks.get(staff_id) or self.business_week

    def _pieces(self, day, week):
        return hours.day_pieces(day, week.get(day.weekday(), []), self.segments)

    def day(self, day):
        """(the business's hours, candidate starts, [(person, working, free)] best first) for
        one local day, worked out once: the least booked that day first, then by name (the
        sort is stable and self.staff is in name order)."""
        if day not in self._days:
            open_ = hours.merge(self._pieces(day, self.business_week))
            starts = [t for t in hours.grid_starts(self._pieces(day, self.business_week),
                                                   self.step)
                      if hours.covers(open_, t, t + self.duration)]
            table = []
            for person in sorted(self.staff, key=lambda s: self.load.get((s.id, day), 0)):
                own = self.own_weeks.get(person.id)
                working = open_ if own is None else hours.intersect(
                    open_, hours.merge(self._pieces(day, own)))
                free = hours.subtract(working, self._busy_near(person.id, working)) \
                    if self.real_time else working
                table.append((person, working, free))
            self._days[day] = (open_, starts, table)
        return self._days[day]

    def _busy_near(self, staff_id, intervals):
        """The busy spans that may overlap `intervals` (merged, so their ends are sorted)."""
        if not intervals:
            return []
        ends = self._ends[staff_id]
        return self.busy[staff_id][bisect_right(ends, intervals[0][0]):
                                   bisect_left(ends, intervals[-1][1]) + 1]

    def offers(self, day):
        """[(start, staff ids best first)] for the day's candidates someone can take."""
        _, starts, table = self.day(day)
        found = [[] for _ in starts]
        for person, _, free in table:
            for lo, hi in free:  # the starts whose whole visit fits this free interval
                for i in range(bisect_left(starts, lo),
                               bisect_right(starts, hi - self.duration)):
                    found[i].append(person.id)
        return [(start, tuple(ids)) for start, ids in zip(starts, found) if ids]
