"""The waitlist, customers' side: join for a service, a date range and times of day; see and
leave one's entries; the admin's list per service and day. Offers (what happens when a time is
released, and claiming one) are in bookings/waitlist_offers.py."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from .. import audit
from ..kernel.actors import Actor
from ..kernel.clock import utcnow
from ..kernel.db import locked, write_transaction
from ..kernel.errors import Conflict, InvalidInput, NotFound
from ..kernel.timefmt import to_local
from ..people import Customer
from ..settings import Settings
from . import hours
from .models import Service
from .waitlist_models import LEFT, TIMES_OF_DAY, WAITING, WaitlistEntry
from .waitlist_offers import withdraw_offers

HORIZON_DAYS = 180   # as far ahead as customers may book
MAX_ENTRIES = 10     # waiting entries per customer: a list people keep, not a flood


def _day(raw, what):
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw or "").strip()[:10])
    except ValueError:
        raise InvalidInput(f"The {what} date isn't a date. Pick one from the calendar.",
                           what) from None


def clean_times(times, start_text="", end_text=""):
    """(times, start_minute, end_minute): a named part of the day, or a range like 9:00-13:00."""
    times = (times or "any").strip()
    if times in TIMES_OF_DAY:
        return (times, *TIMES_OF_DAY[times])
    if times != "range":
        raise InvalidInput(_("Choose mornings, afternoons, evenings, any time, or set times."),
                           "times")
    try:
        start, end = hours.parse_clock(start_text), hours.parse_clock(end_text, end=True)
    except ValueError:
        raise InvalidInput(_("Give the times as hours and minutes, for example 09:00 and 13:00."),
                           "times") from None
    if end <= start:
        raise InvalidInput(_("The 'until' time must be after the 'from' time."), "times")
    return times, start, end


def local_day_end(day, tz):
    """The naive-UTC instant the local `day` ends: when an entry for it expires."""
    return hours.local_to_utc(datetime.combine(day + timedelta(days=1), time()), ZoneInfo(tz))


def join(customer_id: int, service_id: int, first_day, last_day, times: str, *,
         start_text: str = "", end_text: str = "", now: datetime | None = None,
         settings: Settings | None = None) -> WaitlistEntry:
    """Put the customer on the waitlist; returns the entry or raises a DomainError."""
    now = now or utcnow()
    settings = settings or Settings.current()
    today = to_local(now, settings.timezone).date()
    first, last = _day(first_day, "first"), _day(last_day, "last")
    if first < today:
        raise InvalidInput(_("The first date has already passed. Pick today or later."), "first")
    if last < first:
        raise InvalidInput(_("The last date must be on or after the first date."), "last")
    if last > today + timedelta(days=HORIZON_DAYS):
        raise InvalidInput(_("Pick a last date at most %(days)s days ahead.", days=HORIZON_DAYS), "last")
    times, start_minute, end_minute = clean_times(times, start_text, end_text)
    with write_transaction():
        customer = locked(Customer.select().where(Customer.id == customer_id)).get_or_none()
        service = Service.get_or_none((Service.id == service_id) & Service.active)
        if customer is None or service is None:
            raise NotFound(_("That service isn't offered any more. Choose one from the list."))
        waiting = list(WaitlistEntry.select().where(
            (WaitlistEntry.customer == customer_id) & (WaitlistEntry.state == WAITING)
            & (WaitlistEntry.expires_at > now)))
        if len(waiting) >= MAX_ENTRIES:
            raise Conflict(_("You are already waiting for %(most)s things. Leave one under "
                             "Account > Waitlist before joining again.", most=MAX_ENTRIES),
                           "too_many")
        if any(e.service_id == service.id and e.first_day == first and e.last_day == last
               and (e.start_minute, e.end_minute) == (start_minute, end_minute)
               for e in waiting):
            raise Conflict(_("You are already on the waitlist for exactly that. It's listed "
                           "under Account > Waitlist."), "duplicate")
        entry = WaitlistEntry.create(customer=customer_id, service=service.id, first_day=first,
                                     last_day=last, times=times, start_minute=start_minute,
                                     end_minute=end_minute, joined_at=now,
                                     expires_at=local_day_end(last, settings.timezone))
        audit.record("customer", customer_id, "waitlist_joined",
                     Actor("customer", customer_id, customer.name), "portal", at=now,
                     after={"service": service.name, "from": first.isoformat(),
                            "to": last.isoformat(), "times": entry.times_label})
    return entry


def leave(entry_id: int, customer_id: int, *, now: datetime | None = None) -> None:
    """The customer leaves one of their entries (open offers for it lapse with it)."""
    now = now or utcnow()
    with write_transaction():
        entry = locked(WaitlistEntry.select().where(
            (WaitlistEntry.id == entry_id) & (WaitlistEntry.customer == customer_id)
        )).get_or_none()
        if entry is None:
            raise NotFound(_("We couldn't find that waitlist entry. It may have been removed."))
        if entry.state != WAITING:
            raise Conflict(_("You already left that waitlist entry (or it ended). Reload the "
                           "page to see your list."), "not_waiting")
        WaitlistEntry.update(state=LEFT).where(WaitlistEntry.id == entry.id).execute()
        withdraw_offers(entry.id, now)
        audit.record("customer", customer_id, "waitlist_left", Actor("customer", customer_id),
                     "portal", at=now, before={"entry": entry.id})


def customer_entries(customer_id: int, now: datetime) -> list:
    """The customer's entries still waiting, with their service, in join order. One query."""
    return list(WaitlistEntry.select(WaitlistEntry, Service).join(Service)
                .where((WaitlistEntry.customer == customer_id)
                       & (WaitlistEntry.state == WAITING) & (WaitlistEntry.expires_at > now))
                .order_by(WaitlistEntry.joined_at, WaitlistEntry.id))


def waiting_on(service_id: int | None, day: date, now: datetime) -> list:
    """Everyone waiting on the local `day` (for one service, or all), in join order: the
    admin's list. One query."""
    query = (WaitlistEntry.select(WaitlistEntry, Service, Customer)
             .join(Service).switch(WaitlistEntry).join(Customer)
             .where((WaitlistEntry.state == WAITING) & (WaitlistEntry.expires_at > now)
                    & (WaitlistEntry.first_day <= day) & (WaitlistEntry.last_day >= day)))
    if service_id is not None:
        query = query.where(WaitlistEntry.service == service_id)
    return list(query.order_by(Service.name, WaitlistEntry.joined_at, WaitlistEntry.id))


WAITLIST_FIELDS = ("waitlist_batch", "waitlist_claim_minutes")
MAX_BATCH = 50
MAX_CLAIM_MINUTES = 7 * 24 * 60


def update_waitlist_settings(batch: int, claim_minutes: int, actor: Actor) -> list:
    """How released times are offered: everyone at once (batch 0) or `batch` at a time, each
    with `claim_minutes` to claim before the next in line hears. Returns the changed names."""
    from ..settings.portal import save_settings
    if not 0 <= batch <= MAX_BATCH:
        raise InvalidInput(f"Offer to between 1 and {MAX_BATCH} people at a time, or "
                           "choose everyone at once.", "waitlist_batch")
    if batch and not 5 <= claim_minutes <= MAX_CLAIM_MINUTES:
        raise InvalidInput(_("Give people between 5 minutes and 7 days to claim a time."),
                           "waitlist_claim_minutes")
    return save_settings(WAITLIST_FIELDS, {"waitlist_batch": batch,
                                           "waitlist_claim_minutes": claim_minutes or 120},
                         actor, "waitlist_settings_changed")
