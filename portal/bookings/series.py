"""Recurring series (back office): staff book every visit of a rule at once.

Each occurrence is booked by scheduling.book_appointment, exactly as a single booking is (its
own reference, invoice, slot claims, confirmation with its .ics, reminders later), all in one
transaction: either every visit is booked or none is. Every date is checked first; the dates
that are taken are listed (SeriesTaken) and staff may send the form again skipping them.
"""
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _

from .. import audit
from ..kernel.clock import utcnow
from ..kernel.db import write_transaction
from ..kernel.errors import Conflict, DomainError, Forbidden
from ..kernel.timefmt import to_local, when
from ..people.contact_details import clean_address
from ..settings import Settings
from . import availability
from .models import Booking
from .new_booking import bookable_service, clean_notes, customer_for
from .scheduling import book_appointment
from .series_models import BookingSeries
from .series_rules import Rule, describe, expand


@dataclass(frozen=True)
class Taken:
    starts_at: datetime   # naive UTC
    day: date             # its local day: what staff tick to skip it
    label: str            # the visit's time, as people read it
    reason: str           # why it can't be booked


class SeriesTaken(Conflict):
    """Some dates of the series can't be booked: nothing was; `taken` lists them."""
    code = "series_taken"

    def __init__(self, taken, missing):
        days = "; ".join(t.label for t in taken)
        super().__init__(_("%(num)s of the dates can't be booked: %(days)s. Tick \u201cSkip\u201d "
                           "beside them and book again, or pick another start.",
                           num=len(taken), days=days))
        self.taken, self.missing = taken, missing


def occurrences(rule: Rule, first_starts_at: datetime, settings):
    """The visits' starts (naive UTC) and what the rule could not place, in words."""
    return expand(rule, first_starts_at, settings.timezone)


def check_dates(service, starts, skip, settings, now, fieldworker=None, real_time=True):
    """The starts not skipped that can't be booked (Taken), by the check every booking passes."""
    taken = []
    for start in starts:
        day = to_local(start, settings.timezone).date()
        if day in skip:
            continue
        try:
            availability.check_slot(service, start, settings=settings, now=now,
                                    fieldworker=fieldworker, real_time=real_time)
        except DomainError as exc:
            taken.append(Taken(start, day, when(start, settings.timezone), exc.message))
    return taken


def book_series(actor, *, customer_id, new_customer, service_id, starts_at: datetime,
                rule: Rule, skip=frozenset(), fieldworker=None, address="", notes="",
                now=None, channel="admin"):
    """Book every visit of `rule` from `starts_at` (naive UTC) but the local days in `skip`.
    Returns (series, bookings, customer, created, missing) or raises: SeriesTaken lists
    the dates that can't be booked; nothing is written unless every other visit is.
    Customers book only for themselves, and only when the business allows series online;
    book_appointment asks the rest of the policy (may they book online at all) per visit."""
    now = now or utcnow()
    notes, address = clean_notes(notes), clean_address(address)
    settings = Settings.current()
    if actor.is_customer and not settings.customers_may_book_series:
        raise Forbidden(_("Repeating visits can't be booked online. Book one visit at a time, "
                        "or contact us to set up a series."), "series_off")
    real_time = settings.real_time_availability if actor.is_customer else True
    expansion = occurrences(rule, starts_at, settings)
    skip = set(skip)
    with write_transaction():
        service = bookable_service(service_id)
        taken = check_dates(service, expansion.starts, skip, settings, now, fieldworker,
                            real_time)
        if taken:
            raise SeriesTaken(taken, expansion.missing)
        wanted = [s for s in expansion.starts
                  if to_local(s, settings.timezone).date() not in skip]
        if len(wanted) < 2:
            raise Conflict(_("That leaves fewer than two visits: book a single visit instead, "
                           "or choose another start."), "series_too_short")
        customer, created = customer_for(actor, customer_id, new_customer, address)
        series = BookingSeries.create(kind=rule.kind, interval=rule.interval, until=rule.until,
                                      count=rule.count, first_starts_at=wanted[0],
                                      timezone=settings.timezone, created_at=now)
        bookings = []
        for position, start in enumerate(wanted, 1):
            booking = book_appointment(customer.id, service.id, start, actor, channel=channel,
                                       fieldworker=fieldworker, address=address or None,
                                       notes=notes, now=now)
            Booking.update(series=series, series_position=position).where(
                Booking.id == booking.id).execute()
            booking.series_id, booking.series_position = series.id, position
            bookings.append(booking)
        first_day = to_local(wanted[0], settings.timezone).date()
        audit.record("series", series.id, "created", actor, channel, at=now,
                     after={"rule": describe(rule, first_day), "customer": customer.id,
                            "bookings": [b.ref for b in bookings],
                            "skipped": sorted(d.isoformat() for d in skip)})
    return series, bookings, customer, created, expansion.missing
