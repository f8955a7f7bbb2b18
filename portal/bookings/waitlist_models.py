"""The waitlist: customers waiting for a time to free up, and the offers made to them when one
does. Rows only; the rules live in bookings/waitlist.py."""
import secrets

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, IntegerField

from ..kernel.clock import utcnow
from ..kernel.db import BaseModel
from ..kernel.i18n import N_
from ..people import Customer, Staff
from .models import Booking, Service

# Entry states: still waiting; left by the customer; past its last day; got a time from an offer.
WAITING, LEFT, EXPIRED, BOOKED = "waiting", "left", "expired", "booked"
# Offer states: may be claimed; claimed (booking made); someone else got the time; ran out.
OPEN, CLAIMED, GONE, LAPSED = "open", "claimed", "gone", "lapsed"
# Times of day, in the business's wall-clock minutes [start, end): a visit must start inside.
TIMES_OF_DAY = {"any": (0, 24 * 60), "morning": (0, 12 * 60), "afternoon": (12 * 60, 17 * 60),
                "evening": (17 * 60, 24 * 60)}
# Pages translate them as they show them: `{{ _(entry.times_label) }}`.
TIMES_LABELS = {"any": N_("Any time"), "morning": N_("Mornings (before 12:00)"),
                "afternoon": N_("Afternoons (12:00-17:00)"), "evening": N_("Evenings (after 17:00)"),
                "range": N_("Between set times")}


def new_nonce():
    return secrets.token_urlsafe(16)


class WaitlistEntry(BaseModel):
    customer = ForeignKeyField(Customer, backref="waitlist_entries", on_delete="CASCADE")
    service = ForeignKeyField(Service, backref="waitlist_entries", on_delete="CASCADE")
    first_day = DateField()  # local dates, inclusive
    last_day = DateField()
    times = CharField(max_length=10, default="any")  # a TIMES_OF_DAY key or "range"
    start_minute = IntegerField()  # local minutes: a visit may start in [start, end)
    end_minute = IntegerField()
    joined_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()  # UTC: the end of last_day in the business's timezone
    state = CharField(max_length=10, default=WAITING)

    class Meta:
        # Every cancellation asks for the waiting entries whose days it touches (usually none).
        indexes = ((("state", "last_day"), False),
                   (("customer", "state"), False))

    @property
    def times_label(self):
        return TIMES_LABELS.get(self.times, self.times)


class WaitlistOffer(BaseModel):
    """A released time offered to one entry. `nonce` makes its link one of a kind; the link
    is signed and carries the offer's expiry (bookings/waitlist_links.py)."""
    entry = ForeignKeyField(WaitlistEntry, backref="offers", on_delete="CASCADE")
    starts_at = DateTimeField()  # UTC
    ends_at = DateTimeField()
    staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")  # who was free then
    # The cancelled (or moved) booking whose time this is, for the report's refilled count.
    released_from = ForeignKeyField(Booking, null=True, on_delete="SET NULL",
                                    backref="waitlist_offers")
    booking = ForeignKeyField(Booking, null=True, on_delete="SET NULL",
                              backref="waitlist_claim")  # the booking a claim made
    state = CharField(max_length=10, default=OPEN)
    nonce = CharField(max_length=32, unique=True, default=new_nonce)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    decided_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("state", "expires_at"), False),
                   (("starts_at", "state"), False))
