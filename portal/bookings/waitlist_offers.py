"""Waitlist offers: a released time is offered to the customers waiting for it, in the order
they joined (everyone at once, or `waitlist_batch` at a time with a claim window), and the
first to claim it gets it through the same slot claim as every booking (bookings/claims.py).

`time_released` is the one hook the services call, inside their transaction, whenever time
comes free: a cancellation, a move away, a no-show, blocked time removed. The offers and their
emails commit with the change, or not at all. `advance` (run by the worker's reminders loop)
lets unclaimed offers lapse and gives the time to the next in line.
"""
from datetime import datetime, timedelta

from flask_babel import gettext as _

from ..kernel.actors import Actor
from ..kernel.clock import utcnow
from ..kernel.db import locked, write_transaction
from ..kernel.errors import Conflict, DomainError, InvalidInput, NotFound
from ..kernel.timefmt import to_local
from ..settings import Settings
from . import availability
from .links import LinkExpired
from ..kernel.i18n import N_
from .models import Service
from .waitlist_links import same_nonce
from .waitlist_models import (BOOKED, CLAIMED, EXPIRED, GONE, LAPSED, OPEN, WAITING,
                              WaitlistEntry, WaitlistOffer)

# Shown later, by the link page, in the reader's language (N_ marks it for extraction).
GONE_MESSAGE = N_("Sorry, this time has gone: someone else claimed it first. You are still on "
                  "the waitlist, and we'll email you when another time frees up.")


class OfferUsed(DomainError):
    status = 410
    code = "offer_used"


def _fits(entry, slot, tz):
    local = to_local(slot.starts_at, tz)
    minute = local.hour * 60 + local.minute
    return (entry.first_day <= local.date() <= entry.last_day
            and entry.start_minute <= minute < entry.end_minute)


def released_days(starts_at: datetime, ends_at: datetime, now: datetime, tz: str):
    """(first, last): the local days a released [starts_at, ends_at) still has time in, as
    time_released looks for waiting entries; None when the time is already past."""
    if ends_at <= now:
        return None
    return to_local(max(starts_at, now), tz).date(), to_local(ends_at, tz).date()


def waiting_for(now, first, last):
    """The condition on WaitlistEntry: still waiting, and for one of the days first..last."""
    return ((WaitlistEntry.state == WAITING) & (WaitlistEntry.expires_at > now)
            & (WaitlistEntry.first_day <= last) & (WaitlistEntry.last_day >= first))


def time_released(starts_at: datetime, ends_at: datetime, *, now: datetime | None = None,
                  settings: Settings | None = None, released_from: int | None = None,
                  anyone_waiting: bool = True) -> int:
    """Offer the free times inside [starts_at, ends_at) to the waiting customers they suit.
    Call inside the change's transaction, after the time is freed. Returns the offers made.
    `anyone_waiting=False`: the caller asked waiting_for(...) over released_days(...) in this
    transaction and nobody waits (a cancellation asks in a statement it runs anyway)."""
    now = now or utcnow()
    if ends_at <= now or not anyone_waiting:
        return 0
    settings = settings or Settings.current()
    tz = settings.timezone
    days = released_days(starts_at, ends_at, now, tz)
    # One query when nobody waits (the usual case): the cost every other release pays.
    entries = list(WaitlistEntry.select().where(waiting_for(now, *days))
                   .order_by(WaitlistEntry.joined_at, WaitlistEntry.id))
    if not entries:
        return 0
    first, last = days
    # Who holds an offer of a start already, or let one lapse (their turn passed): not again.
    # Those who lost a race for it (gone) may have it if it comes free once more.
    offered = {(o.entry_id, o.starts_at) for o in WaitlistOffer.select(
        WaitlistOffer.entry, WaitlistOffer.starts_at).where(
        (WaitlistOffer.starts_at >= starts_at) & (WaitlistOffer.starts_at < ends_at)
        & WaitlistOffer.state.in_([OPEN, LAPSED]))}
    # "A few at a time": the released time goes to `waitlist_batch` people, counting any
    # offers of it still open (the next in line hears only when those lapse).
    room = None
    if settings.waitlist_batch:
        room = settings.waitlist_batch - WaitlistOffer.select().where(
            (WaitlistOffer.state == OPEN) & (WaitlistOffer.starts_at < ends_at)
            & (WaitlistOffer.ends_at > starts_at)).count()
    services, slots = {s.id: s for s in Service.select().where(
        Service.id.in_({e.service_id for e in entries}) & Service.active)}, {}
    made = []
    for entry in entries:
        if room is not None and len(made) >= room:
            break
        service = services.get(entry.service_id)
        if service is None:
            continue
        if service.id not in slots:
            slots[service.id] = [s for s in availability.free_slots(
                service, first, last, settings=settings, now=now, real_time=True)
                if starts_at <= s.starts_at and s.ends_at <= ends_at]
        slot = next((s for s in slots[service.id] if _fits(entry, s, tz)
                     and (entry.id, s.starts_at) not in offered), None)
        if slot is None:
            continue
        expires = slot.starts_at
        if settings.waitlist_batch:
            expires = min(expires, now + timedelta(minutes=settings.waitlist_claim_minutes))
        made.append(WaitlistOffer.create(
            entry=entry.id, starts_at=slot.starts_at, ends_at=slot.ends_at,
            staff=slot.staff_ids[0] if slot.staff_ids else None, released_from=released_from,
            created_at=now, expires_at=expires))
        made[-1].entry, made[-1].service = entry, service
    if made:
        from ..messaging.waitlist_emails import queue_offers
        queue_offers(made, settings)
    return len(made)


def _group(offer):
    """Every offer of the same time, locked in id order: claims of one time take turns."""
    return list(locked(WaitlistOffer.select().where(WaitlistOffer.starts_at == offer.starts_at)
                       .order_by(WaitlistOffer.id)))


def offer_for_link(offer_id: int, nonce: str, now: datetime):
    """The offer a link names, with its entry and service, for the confirm page; raises
    LinkInvalid/NotFound (404), LinkExpired or OfferUsed (410) as the claim would."""
    offer = (WaitlistOffer.select(WaitlistOffer, WaitlistEntry, Service)
             .join(WaitlistEntry).join(Service)
             .where(WaitlistOffer.id == offer_id).get_or_none())
    _check(offer, nonce, now)
    return offer


def _check(offer, nonce, now):
    if offer is None or not same_nonce(offer.nonce, nonce):
        raise NotFound(_("We couldn't find that offer. Open the link from the email again."))
    if offer.state == CLAIMED:
        raise OfferUsed(_("This offer has already been used, so this time has gone. You'll "
                        "find the booking under My bookings if it was you who claimed it."))
    if offer.state == LAPSED or offer.expires_at <= now:
        raise LinkExpired(_("This offer has expired, so the time went to the next person "
                          "waiting. You are still on the waitlist."))


def claim_offer(offer_id: int, nonce: str, *, now: datetime | None = None):
    """Claim the offer: (booking, None) when the time is now the customer's, (None, message)
    when it has gone (the entry stays on the list). Raises for bad, used or expired links,
    changing nothing."""
    from .scheduling import book_appointment  # scheduling imports the services that call us
    now = now or utcnow()
    with write_transaction():
        offer = WaitlistOffer.get_or_none(WaitlistOffer.id == offer_id)
        if offer is None:
            raise NotFound(_("We couldn't find that offer. Open the link from the email again."))
        group = _group(offer)
        offer = next(o for o in group if o.id == offer_id)
        _check(offer, nonce, now)
        entry = WaitlistEntry.get_by_id(offer.entry_id)
        if entry.state != WAITING:
            raise LinkExpired(_("You left this waitlist entry, so its offers no longer work."))
        if offer.state == GONE or any(o.state == CLAIMED for o in group):
            return None, GONE_MESSAGE
        try:
            booking = book_appointment(entry.customer_id, entry.service_id, offer.starts_at,
                                       Actor("customer", entry.customer_id), channel="waitlist",
                                       now=now)
        except (Conflict, InvalidInput):  # taken meanwhile, or no longer bookable: gone
            _decide([offer.id], GONE, now)
            return None, GONE_MESSAGE
        WaitlistOffer.update(state=CLAIMED, booking=booking.id, decided_at=now).where(
            WaitlistOffer.id == offer.id).execute()
        _decide([o.id for o in group if o.id != offer.id and o.state == OPEN], GONE, now)
        WaitlistEntry.update(state=BOOKED).where(WaitlistEntry.id == entry.id).execute()
        withdraw_offers(entry.id, now)  # its other offers: it has its time
    return booking, None


def _decide(ids, state, now):
    if ids:
        WaitlistOffer.update(state=state, decided_at=now).where(
            WaitlistOffer.id.in_(ids) & (WaitlistOffer.state == OPEN)).execute()


def withdraw_offers(entry_id: int, now: datetime) -> None:
    """The entry's open offers lapse (it left the list, or got a time)."""
    WaitlistOffer.update(state=LAPSED, decided_at=now).where(
        (WaitlistOffer.entry == entry_id) & (WaitlistOffer.state == OPEN)).execute()


def advance(now: datetime | None = None) -> int:
    """Let offers past their claim window lapse and offer each such time to the next in line
    (when no offer of it is still open or claimed); end entries past their last day. Run by
    the worker every reminders round. Returns the new offers made."""
    now = now or utcnow()
    made = 0
    with write_transaction():
        WaitlistEntry.update(state=EXPIRED).where(
            (WaitlistEntry.state == WAITING) & (WaitlistEntry.expires_at <= now)).execute()
        due = list(locked(WaitlistOffer.select().where(
            (WaitlistOffer.state == OPEN) & (WaitlistOffer.expires_at <= now))
            .order_by(WaitlistOffer.id)))
        if not due:
            return 0
        _decide([o.id for o in due], LAPSED, now)
        settings = Settings.current()
        for starts_at, ends_at, released in {(o.starts_at, o.ends_at, o.released_from_id)
                                             for o in due}:
            busy = WaitlistOffer.select().where(
                (WaitlistOffer.starts_at == starts_at)
                & WaitlistOffer.state.in_([OPEN, CLAIMED])).exists()
            if not busy:
                made += time_released(starts_at, ends_at, now=now, settings=settings,
                                      released_from=released)
    return made
