"""The business's settings: one row, created with defaults on first use."""
import secrets

from peewee import BooleanField, CharField, IntegerField, TextField

from ..kernel.compiled import Compiled
from ..kernel.db import BaseModel
from ..kernel.i18n import gettext
from ..kernel.row_objects import instance


class Settings(BaseModel):
    business_name = CharField(max_length=120, default="Sparkle & Co. Cleaning")
    timezone = CharField(max_length=64, default="America/New_York")
    currency = CharField(max_length=3, default="USD")
    contact_phone = CharField(max_length=40, default="")
    contact_email = CharField(max_length=254, default="")
    # Customer Portal > Flags & Permissions
    customers_may_cancel = BooleanField(default=True)
    customers_may_reschedule = BooleanField(default=True)
    cancel_notice_hours = IntegerField(default=0)
    reschedule_notice_hours = IntegerField(null=True)  # None: same as cancel_notice_hours
    cancel_note_required = BooleanField(default=False)
    real_time_availability = BooleanField(default=True)
    customers_may_book_series = BooleanField(default=False)  # repeating visits, online
    blocked_message = TextField(default="")  # too late to cancel online ("" = default words)
    reschedule_blocked_message = TextField(default="")  # too late to reschedule online
    # Financial Settings > Tax & Fees, in minor units (cents); 0 means no fee is configured.
    cancellation_fee = IntegerField(default=0)
    no_show_fee = IntegerField(default=0)
    tax_rate_bp = IntegerField(default=0)  # basis points on new invoice lines: 825 is 8.25 %
    # Reminder emails go out this many hours before the appointment (flask reminders send).
    reminder_hours = IntegerField(default=24)
    # Booking and rescheduling: the start-time step offered, a cap on moves per booking
    # (None: unlimited), and whether customers may book online at all.
    slot_step_minutes = IntegerField(default=30)
    max_reschedules = IntegerField(null=True)
    online_booking = BooleanField(default=True)
    # The customers' language when theirs is unknown (kernel/languages.py).
    default_language = CharField(max_length=8, default="en")
    # "kind:language" of each email template the business wrote (messaging/business_templates)
    custom_emails = TextField(default="")
    # The waitlist: offer a released time to this many waiting customers at a time, each with
    # this long to claim it before the next in line hears (0: everyone at once, no window).
    waitlist_batch = IntegerField(default=0)
    waitlist_claim_minutes = IntegerField(default=120)
    # Given anew by the database whenever a fee tier or an integration changes (migration
    # 0028's triggers): what a process keeps of those is good while this stays (kept.py).
    cache_stamp = CharField(max_length=32, default=lambda: secrets.token_hex(8))

    @classmethod
    def current(cls):
        """The one settings row, made on first use: a fresh object each call, read from the
        database each call (so a change made by any process or server is seen at once), but
        turned into an object only when the row differs from the last one read (_LAST)."""
        # fetchall: an SQLite statement left unfinished would keep a read transaction open.
        rows = _CURRENT.cursor()[0].fetchall()
        if not rows:
            row = cls.create()
            ensure_default_reasons()
            return row
        return cls.from_row(rows[0])

    @classmethod
    def from_row(cls, raw):
        """The settings object for the row's raw column values as the driver returned them, in
        field order (this class's query, or the same columns riding along another statement:
        accounts.sessions reads them with the logged-in person)."""
        last = _LAST[0]
        if last is None or last[0] != raw:
            last = _LAST[0] = (raw, {f.name: f.python_value(v)
                                     for f, v in zip(cls._meta.sorted_fields, raw)})
        return instance(cls, last[1])

    @property
    def effective_reschedule_notice_hours(self):
        if self.reschedule_notice_hours is None:
            return self.cancel_notice_hours
        return self.reschedule_notice_hours

    @property
    def contact_line(self):
        """How customers reach the business, for messages that send them elsewhere."""
        return contact_line(self.contact_phone, self.contact_email)


def contact_line(phone, email):
    """'(555) 010-4477 or hello@example.com', in the reader's language."""
    if phone and email:
        return gettext("%(phone)s or %(email)s", phone=phone, email=email)
    return phone or email or ""


# The settings row's SQL, built once; the last row read as (raw, converted), per process: only
# ever used when the database has just returned that same raw row, so it is never stale.
_CURRENT = Compiled(lambda: Settings.select().order_by(Settings.id).limit(1), 0)
_LAST = [None]


class CancellationReason(BaseModel):
    """A predefined reason; the one built-in "Other" requires a note. Never deleted, only
    deactivated, and bookings keep the label they were cancelled with."""
    label = CharField(max_length=80, unique=True)
    position = IntegerField(default=0)
    active = BooleanField(default=True)
    is_other = BooleanField(default=False)

    @classmethod
    def listed(cls, active_only=True):
        query = cls.select().order_by(cls.is_other, cls.position, cls.id)
        return query.where(cls.active) if active_only else query


DEFAULT_REASONS = ["Schedule conflict", "No longer needed", "Found another provider",
                   "Price", "Illness or emergency"]


def ensure_default_reasons():
    """Give a new business a starting list, and always exactly one built-in "Other"."""
    if not CancellationReason.select().exists():
        CancellationReason.insert_many(
            [{"label": label, "position": i} for i, label in enumerate(DEFAULT_REASONS)]
            + [{"label": "Other", "position": 999, "is_other": True}]
        ).on_conflict_ignore().execute()  # another process may be giving the same list
