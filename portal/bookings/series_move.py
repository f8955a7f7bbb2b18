"""Moving part of a series: this and following visits, or the whole series (what remains), by
the same shift as the visit the person picked a new time for. The shift is in wall-clock time
(a visit at 9:00 AM moved to 10:00 AM two days later is at 10:00 AM two days later in every
week, whatever daylight saving does). Each visit is moved by scheduling.reschedule_booking, as
a single booking is: the policy, availability and slot claims per visit. All or nothing: a
visit the policy refuses or whose new time is taken fails the choice, naming it.
"""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from .. import audit
from ..kernel.actors import Actor
from ..kernel.clock import utcnow
from ..kernel.db import locked, write_transaction
from ..kernel.errors import Conflict, DomainError, InvalidInput, NotFound
from ..kernel.timefmt import to_local, when
from ..messaging import series_emails
from ..people import Customer
from ..settings import Settings
from .models import SCHEDULED, Booking, Service
from .scheduling import reschedule_booking
from .series_cancel import ALL, FOLLOWING, THIS, _parse_versions
from .services import STALE


def scope_visits(booking, now) -> dict:
    """{scope: [bookings]} the visits each choice moves (empty for a single booking)."""
    if booking.series_id is None:
        return {}
    rest = list(Booking.select(Booking, Service).join(Service)
                .where((Booking.series == booking.series_id) & (Booking.status == SCHEDULED)
                       & (Booking.starts_at > now)).order_by(Booking.starts_at))
    return {THIS: [b for b in rest if b.id == booking.id],
            FOLLOWING: [b for b in rest if b.starts_at >= booking.starts_at],
            ALL: rest}


def versions(bookings) -> str:
    return " ".join(f"{b.ref}:{b.version}" for b in bookings)


def shifted(starts_at: datetime, old: datetime, new: datetime, tz: str) -> datetime:
    """`starts_at` moved as `old` was moved to `new`, in local wall-clock time (naive UTC)."""
    zone = ZoneInfo(tz)
    wall = (to_local(starts_at, tz).replace(tzinfo=None)
            + (to_local(new, tz).replace(tzinfo=None) - to_local(old, tz).replace(tzinfo=None)))
    return wall.replace(tzinfo=zone).astimezone(timezone.utc).replace(tzinfo=None)


def move_series(ref, actor: Actor, *, scope, starts_at: datetime, channel, versions_shown,
                now=None):
    """Move the visits `scope` takes from the series of `ref` by the shift that puts `ref` at
    `starts_at`. Returns [(booking as moved, old starts_at)] in time order, or raises."""
    if scope not in (FOLLOWING, ALL):
        raise InvalidInput(_("Choose which visits to move from the list."))
    shown = _parse_versions(versions_shown)
    now = now or utcnow()
    with write_transaction():
        settings = Settings.current()
        booking = locked(Booking.select().where(Booking.ref == ref), of=Booking).get_or_none()
        if booking is None or booking.series_id is None or (
                actor.is_customer and booking.customer_id != actor.id):
            raise NotFound(_("We couldn't find that booking."))
        rows = scope_visits(booking, now)[scope]
        if {b.ref: b.version for b in rows} != shown:
            raise Conflict(_(STALE), "stale")
        if starts_at == booking.starts_at:
            raise InvalidInput(_("That is the time it already has. Pick a different time."))
        tz = settings.timezone
        plan = [(b, shifted(b.starts_at, booking.starts_at, starts_at, tz)) for b in rows]
        # Later visits first when moving later (earlier first when earlier), so no visit
        # needs the time another visit of the series is about to leave.
        plan.sort(key=lambda item: item[0].starts_at, reverse=starts_at > booking.starts_at)
        moved = []
        for visit, target in plan:
            try:
                moved.append((reschedule_booking(
                    visit.ref, actor, channel=channel, starts_at=target,
                    expected_version=visit.version, now=now, customer_email=False),
                    visit.starts_at))
            except DomainError as exc:
                raise type(exc)(_("The visit on %(old)s can't move to %(new)s: %(why)s "
                                  "Nothing was moved.", old=when(visit.starts_at, tz),
                                  new=when(target, tz), why=exc.message),
                                exc.code) from None
        moved.sort(key=lambda item: item[0].starts_at)
        audit.record("series", booking.series_id, f"moved_{scope}", actor, channel, at=now,
                     after={"from": booking.ref,
                            "moved": {b.ref: [old, b.starts_at] for b, old in moved}})
        customer = Customer.get_by_id(booking.customer_id)
        series_emails.queue_series_moved(booking.series_id, moved, customer, settings)
    return moved

