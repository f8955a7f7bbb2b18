"""Admin > Availability: saving working hours, blocked time and the booking settings. Each
change is one transaction with one audit event on the settings row."""
from datetime import timedelta
from zoneinfo import ZoneInfo

from peewee import JOIN

from .. import audit
from ..kernel.clock import utcnow
from ..kernel.db import write_transaction
from ..kernel.errors import InvalidInput, NotFound
from ..people import Staff
from ..settings import Settings
from ..settings.portal import save_settings as update_settings_fields
from . import hours
from .availability import STEPS
from .schedule_models import BlockedTime, WorkingHours
from .waitlist_offers import time_released

REASON_MAX = 120
MAX_BLOCK_DAYS = 366
MAX_RESCHEDULES = 50
BOOKING_FIELDS = ("slot_step_minutes", "max_reschedules", "online_booking")
UNKNOWN_STAFF = "Choose the whole business or one of the fieldworkers listed."


class WeekInvalid(InvalidInput):
    """Some days of a submitted week are wrong: `days` maps weekday -> message, `fields` holds
    the (weekday, span index, "start" | "end") inputs to mark."""

    def __init__(self, days, fields):
        super().__init__("Please check the highlighted days; nothing was saved.")
        self.days, self.fields = days, fields


def fieldworkers():
    """Active fieldworkers by name: whose hours or blocks the pages offer."""
    return list(Staff.select().where(Staff.active & (Staff.role == Staff.FIELDWORKER))
                .order_by(Staff.name, Staff.id))


def _owner(staff_id):
    """None for the business, else the active fieldworker; InvalidInput("staff") otherwise."""
    if staff_id is None:
        return None
    person = Staff.get_or_none((Staff.id == staff_id) & Staff.active
                               & (Staff.role == Staff.FIELDWORKER))
    if person is None:
        raise InvalidInput(UNKNOWN_STAFF, "staff")
    return person


def _rows(staff_id):
    query = WorkingHours.select(WorkingHours.weekday, WorkingHours.start_minute,
                                WorkingHours.end_minute)
    owner = WorkingHours.staff.is_null() if staff_id is None else WorkingHours.staff == staff_id
    return hours.week_from_rows(query.where(owner).tuples())


def week_for(staff_id=None):
    """(week, own): the saved week of the business or a fieldworker and whether it has rows of
    its own. Without rows a fieldworker follows the business, and the business its defaults."""
    _owner(staff_id)
    own = _rows(staff_id)
    if own:
        return own, True
    business = _rows(None) if staff_id is not None else {}
    return business or hours.DEFAULT_WEEK, False


def _parse_day(day, entry):
    """The spans of one day's {"closed", "spans": [(start_text, end_text)]}; raises
    ValueError((message, bad field keys))."""
    if entry.get("closed"):
        return []
    spans, bad = [], []
    for i, (start_text, end_text) in enumerate(entry.get("spans", [])):
        if not (start_text or "").strip() and not (end_text or "").strip():
            continue
        try:
            start = hours.parse_clock(start_text)
        except ValueError:
            bad.append((day, i, "start"))
        try:
            end = hours.parse_clock(end_text, end=True)
        except ValueError:
            bad.append((day, i, "end"))
        if bad:
            raise ValueError(("Enter both times of each span, like 08:00 and 17:30.", bad))
        keys = [(day, i, "start"), (day, i, "end")]
        if start % hours.GRID_MINUTES or end % hours.GRID_MINUTES:
            raise ValueError(("Times go in quarter hours: :00, :15, :30 or :45.", keys))
        if start >= end:
            raise ValueError(("Each span must end after it starts.", keys))
        spans.append((start, end, i))
    if not spans:
        raise ValueError(("Enter the hours, or tick Closed.", [(day, 0, "start")]))
    if len(spans) > hours.MAX_SPANS:
        raise ValueError((f"At most {hours.MAX_SPANS} spans a day.", []))
    spans.sort()
    for (_, end, i), (start, _, j) in zip(spans, spans[1:]):
        if start < end:
            raise ValueError(("Spans of a day must not overlap.",
                              [(day, i, "end"), (day, j, "start")]))
    return [(start, end) for start, end, _ in spans]


def parse_week(raw):
    """{weekday: [(start_minute, end_minute)]} from the form's text, open days only; raises
    WeekInvalid naming every day that is wrong."""
    week, days, fields = {}, {}, set()
    for day in range(7):
        try:
            spans = _parse_day(day, raw.get(day, {}))
        except ValueError as exc:
            days[day], keys = exc.args[0]
            fields.update(keys)
            continue
        if spans:
            week[day] = spans
    if days:
        raise WeekInvalid(days, fields)
    if not week:
        raise InvalidInput("Open at least one day. To stop online bookings for a while, switch "
                           "off online booking below, or add blocked time.", "week")
    return week


def _described(week):
    return {hours.WEEKDAYS[day]: hours.hours_text(week.get(day, [])) for day in range(7)}


def save_week(staff_id, raw, actor):
    """Replace the business's (staff_id None) or a fieldworker's hours; returns whether they
    changed."""
    with write_transaction():
        person = _owner(staff_id)
        week = parse_week(raw)
        before = _rows(staff_id)
        if before == week:
            return False
        WorkingHours.delete().where(WorkingHours.staff.is_null() if staff_id is None
                                    else WorkingHours.staff == staff_id).execute()
        WorkingHours.insert_many([{"staff": staff_id, "weekday": day, "start_minute": start,
                                   "end_minute": end}
                                  for day, spans in sorted(week.items())
                                  for start, end in spans]).execute()
        _audit_hours(person, before, week, actor)
    return True


def reset_week(staff_id, actor):
    """A fieldworker goes back to the business's hours; returns whether anything changed."""
    with write_transaction():
        person = _owner(staff_id)
        if person is None:
            raise InvalidInput(UNKNOWN_STAFF, "staff")
        before = _rows(staff_id)
        if not before:
            return False
        WorkingHours.delete().where(WorkingHours.staff == staff_id).execute()
        _audit_hours(person, before, {}, actor)
    return True


def _audit_hours(person, before, after, actor):
    who = {"owner": person.name if person else "business"}
    same = "same as business hours"
    audit.record("settings", Settings.current().id, "working_hours_changed", actor, "admin",
                 before={**who, "hours": _described(before) if before else same},
                 after={**who, "hours": _described(after) if after else same})


def add_block(staff_id, start_local, end_local, reason, actor, now):
    """Block local [start_local, end_local) for the business (staff_id None) or a fieldworker.
    Errors name the field they belong to (InvalidInput's code)."""
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX:
        raise InvalidInput(f"Please keep the reason to {REASON_MAX} characters.", "reason")
    with write_transaction():
        person = _owner(staff_id)
        settings = Settings.current()
        tz = ZoneInfo(settings.timezone)
        starts_at = hours.local_to_utc(start_local, tz)
        ends_at = hours.local_to_utc(end_local, tz, latest=True)
        if ends_at <= starts_at:
            raise InvalidInput("The end must be after the start.", "ends_at")
        if ends_at - starts_at > timedelta(days=MAX_BLOCK_DAYS):
            raise InvalidInput(f"A block can last at most {MAX_BLOCK_DAYS} days.", "ends_at")
        if ends_at <= now:
            raise InvalidInput("That time has already passed.", "ends_at")
        block = BlockedTime.create(staff=staff_id, starts_at=starts_at, ends_at=ends_at,
                                   reason=reason, created_at=now)
        audit.record("settings", settings.id, "blocked_time_added", actor, "admin",
                     after=_block_facts(block, person))
    return block


def delete_block(block_id, actor):
    with write_transaction():
        block = BlockedTime.get_or_none(BlockedTime.id == block_id)
        if block is None:
            raise NotFound("That blocked time is already gone. Reload the page.")
        person = Staff.get_by_id(block.staff_id) if block.staff_id else None
        block.delete_instance()
        time_released(block.starts_at, block.ends_at, now=utcnow())  # to the waitlist
        audit.record("settings", Settings.current().id, "blocked_time_removed", actor, "admin",
                     before=_block_facts(block, person))


def _block_facts(block, person):
    return {"id": block.id, "who": person.name if person else "business",
            "starts_at": block.starts_at, "ends_at": block.ends_at, "reason": block.reason}


def upcoming_blocks(now, limit=200):
    """Blocks not yet over, soonest first, with their fieldworker (None: the business)."""
    return list(BlockedTime.select(BlockedTime, Staff).join(Staff, JOIN.LEFT_OUTER)
                .where(BlockedTime.ends_at > now)
                .order_by(BlockedTime.starts_at, BlockedTime.id).limit(limit))


def update_booking_settings(values, actor):
    """Save the slot step, the reschedule cap (None: unlimited) and online booking; returns
    the changed field names."""
    if values["slot_step_minutes"] not in STEPS:
        raise InvalidInput("Choose 15, 30 or 60 minutes.", "slot_step_minutes")
    cap = values["max_reschedules"]
    if cap is not None and not 0 <= cap <= MAX_RESCHEDULES:
        raise InvalidInput(f"Enter 0 to {MAX_RESCHEDULES}, or leave it blank for no limit.",
                           "max_reschedules")
    return update_settings_fields(BOOKING_FIELDS, values, actor, "booking_settings_changed")
