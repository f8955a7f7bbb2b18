"""The activity log: every audit event, filtered and paged, and one booking's or order's timeline.

Both read in a fixed number of queries however many events there are: each event's subject is
named (and its page found) by subqueries in the statement that reads the events.
"""
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import NamedTuple

from peewee import Case

from ..billing.models import Invoice, Refund
from ..bookings.models import Booking, Service
from ..integrations.models import Integration
from ..kernel.compiled import Compiled
from ..kernel.db import database
from ..kernel.input_limits import MAX_ID
from ..kernel.listing import (Page, count_upto, day_terms, last_page, parse_date_range, parse_page,
                              parse_search, shown)
from ..orders.models import Order
from ..people import Customer, Staff
from ..settings import CancellationReason
from . import AuditEvent
from .text import SUBJECT_KINDS, action_label, changes

PER_PAGE = (25, 50)
# The actor select's groups; a staff member is chosen by id.
ACTORS = {"staff": "All staff", "customers": "Customers", "system": "System",
          "integrations": "Integrations"}
STAFF_KINDS = ("admin", "fieldworker")
GROUP_KINDS = {"staff": STAFF_KINDS, "customers": ("customer",), "system": ("system",),
               "integrations": ("integration",)}
REF = re.compile(r"(BK|OR)-[A-Z0-9]{1,10}")
ACTION = re.compile(r"[a-z][a-z0-9_]{0,39}")
# How each kind of subject is named: a column of its row.
NAMES = {"booking": (Booking, Booking.ref), "order": (Order, Order.ref),
         "staff": (Staff, Staff.name), "reason": (CancellationReason, CancellationReason.label),
         "customer": (Customer, Customer.name), "service": (Service, Service.name),
         "integration": (Integration, Integration.name)}
# Which page shows a settings event's subject (the web layer turns pages into URLs).
SETTINGS_PAGES = {"portal_settings_changed": ("Portal settings", "portal_settings"),
                  "fee_settings_changed": ("Fees and tax", "fees"),
                  "fee_tier_added": ("Late-fee tiers", "fees"),
                  "fee_tier_removed": ("Late-fee tiers", "fees"),
                  "working_hours_changed": ("Working hours", "hours"),
                  "booking_settings_changed": ("Booking settings", "hours"),
                  "blocked_time_added": ("Blocked time", "blocked"),
                  "blocked_time_removed": ("Blocked time", "blocked"),
                  "email_template_saved": ("Emails", "emails"),
                  "email_template_reset": ("Emails", "emails")}


class Subject(NamedTuple):
    kind: str               # the event's subject_type
    text: str               # what the reader sees: "BK-7KQ2MX", "Invoice of BK-7KQ2MX", a name
    page: str | None = None  # which page shows it (portal.web.admin.activity.PAGES), None: none does
    key: object = None       # that page's argument: a reference or an id


@dataclass(frozen=True)
class Entry:
    event: AuditEvent
    label: str         # "Refund approved"
    subject: Subject | None  # None on a timeline, for the page's own subject
    changes: tuple     # audit_text.Change, oldest value first


def _entry(event, subject):
    return Entry(event, action_label(event.action), subject,
                 changes(event.before_data, event.after_data))


def subject_terms(kind, subject_id):
    """Events about a booking or an order, and about its invoice (payments) and refunds."""
    if kind == "booking":
        invoices = Invoice.select(Invoice.id).where(Invoice.booking == subject_id)
    else:
        invoices = Order.select(Order.invoice).where(
            (Order.id == subject_id) & Order.invoice.is_null(False))
    refunds = Refund.select(Refund.id).where(Refund.invoice.in_(invoices))
    event = AuditEvent
    return (((event.subject_type == kind) & (event.subject_id == subject_id))
            | ((event.subject_type == "invoice") & event.subject_id.in_(invoices))
            | ((event.subject_type == "refund") & event.subject_id.in_(refunds)))


def _timeline_query(kind, with_money):
    def build(subject_id):
        where = subject_terms(kind, subject_id) if with_money else (
            (AuditEvent.subject_type == kind) & (AuditEvent.subject_id == subject_id))
        return AuditEvent.select().where(where).order_by(AuditEvent.created_at, AuditEvent.id)
    return Compiled(build, 1)


# Its SQL built once per (kind, with_money) (kernel.compiled): the admin's booking page asked
# peewee to build the query with its two subqueries on every view, most of the page's calls.
_TIMELINES = {(kind, money): _timeline_query(kind, money)
              for kind in ("booking", "order") for money in (True, False)}


def timeline(kind, subject_id, with_money=True):
    """A booking's or order's history, oldest first, in one query; with_money adds the events
    of its invoice, payments and refunds (what staff see)."""
    events = _TIMELINES[kind, bool(with_money)].rows(subject_id)
    return [_entry(e, None if e.subject_type == kind else
                   Subject(e.subject_type, "Invoice" if e.subject_type == "invoice"
                           else f"Refund #{e.subject_id}")) for e in events]


def _staff_id(raw):
    if raw.isascii() and raw.isdigit() and len(raw) <= 10 and 0 < int(raw) <= MAX_ID:
        return int(raw)
    return None


@dataclass(frozen=True)
class ActivityFilter:
    q: str = ""       # a booking or order reference, upper-cased
    actor: str = ""   # "", a key of ACTORS, or a staff member's id
    action: str = ""
    date_from: date | None = None  # business-timezone days, both included
    date_to: date | None = None
    per: int = PER_PAGE[0]
    page: int = 1
    tz: str = "UTC"
    notes: tuple = ()  # what was wrong with the URL, for the page to say

    @classmethod
    def from_args(cls, args, tz):
        """The filter in these query args; unusable values become notes, never errors."""
        notes = []
        date_from, date_to = parse_date_range(args, tz, notes)
        q = parse_search(args, notes)
        if q and not REF.fullmatch(q.upper()):
            notes.append(f"“{shown(q)}” is not a booking or order reference (like BK-7KQ2MX "
                         "or OR-3HT9PA); showing every subject.")
            q = ""
        actor = (args.get("actor") or "").strip()
        if actor and actor not in ACTORS and _staff_id(actor) is None:
            notes.append(f"“{shown(actor)}” is not someone in the list; showing everyone.")
            actor = ""
        action = (args.get("action") or "").strip()
        if action and not ACTION.fullmatch(action):
            notes.append(f"“{shown(action)}” is not an action; showing every action.")
            action = ""
        per = (args.get("per") or "").strip()
        if per and per not in {str(n) for n in PER_PAGE}:
            notes.append(f"“{shown(per)}” is not a page size; showing {PER_PAGE[0]} a page.")
            per = ""
        return cls(q=q.upper(), actor=actor, action=action, date_from=date_from,
                   date_to=date_to, per=int(per or PER_PAGE[0]),
                   page=parse_page(args.get("page"), notes), tz=tz, notes=tuple(notes))

    @property
    def is_narrowed(self):
        return bool(self.to_args(page=1, per=PER_PAGE[0]))

    def to_args(self, **changes):
        """URL args for this filter (with changes), defaults left out so links stay short."""
        f = replace(self, **changes) if changes else self
        args = {"q": f.q or None, "actor": f.actor or None, "action": f.action or None,
                "from": f.date_from.isoformat() if f.date_from else None,
                "to": f.date_to.isoformat() if f.date_to else None,
                "per": f.per if f.per != PER_PAGE[0] else None,
                "page": f.page if f.page > 1 else None}
        return {key: value for key, value in args.items() if value is not None}

    def conditions(self):
        """The WHERE terms, all but the subject (which needs its reference looked up)."""
        terms = day_terms(AuditEvent.created_at, self.date_from, self.date_to, self.tz)
        if self.actor in GROUP_KINDS:
            terms.append(AuditEvent.actor_kind.in_(GROUP_KINDS[self.actor]))
        elif self.actor:
            terms.append(AuditEvent.actor_kind.in_(STAFF_KINDS)
                         & (AuditEvent.actor_id == int(self.actor)))
        if self.action:
            terms.append(AuditEvent.action == self.action)
        return terms


@dataclass(frozen=True)
class ActivityPage(Page):
    per: int = PER_PAGE[0]

    @property
    def first(self):
        return (self.page - 1) * self.per + 1 if self.total else 0

    @property
    def last(self):
        return min(self.page * self.per, self.total)


def find_subject(ref):
    """(kind, id) of the booking or order with this reference, or None (one query)."""
    model, kind = (Booking, "booking") if ref.startswith("BK-") else (Order, "order")
    found = model.select(model.id).where(model.ref == ref).scalar()
    return (kind, found) if found else None


def find_events(flt):
    """One page of matching events, newest first, each with its subject named and linked: the
    count and the rows (subjects named by subqueries in the same statement), plus the
    reference's lookup when there is one."""
    terms = flt.conditions()
    if flt.q:
        subject = find_subject(flt.q)
        if subject is None:
            return ActivityPage([], 0, 1, 1, (f"No booking or order has the reference "
                                              f"“{shown(flt.q)}”.",), per=flt.per)
        terms.append(subject_terms(*subject))
    counted = AuditEvent.select(AuditEvent.id)
    total, more = count_upto(counted.where(*terms) if terms else counted, flt.page, flt.per)
    pages, page, notes = last_page(total, more, flt.page, flt.per)
    newest = (AuditEvent.created_at.desc(), AuditEvent.id.desc())
    chosen = AuditEvent.select(AuditEvent.id)
    chosen = ((chosen.where(*terms) if terms else chosen).order_by(*newest)
              .limit(flt.per).offset((page - 1) * flt.per))
    # The page's ids first, then their subjects: a plan that sorts would otherwise run the
    # subqueries for every matching event, not just the page's.
    events = list(AuditEvent.select(AuditEvent, *_subject_columns())
                  .where(AuditEvent.id.in_(chosen)).order_by(*newest))
    rows = [_entry(e, _subject(e)) for e in events]
    return ActivityPage(rows, total, page, pages, notes, more, per=flt.per)


def _about(model, column, where):
    """One value about the event's subject row, as a subquery (NULL when there is none)."""
    return model.select(column).where(where).limit(1)


def _subject_columns():
    """What names each event's subject and whose money it is, whatever its kind: CASEs of
    subqueries on the subject's primary key, so the page is one statement."""
    event, kind = AuditEvent, AuditEvent.subject_type
    names = [(name, _about(model, column, model.id == event.subject_id))
             for name, (model, column) in NAMES.items()]
    refund_invoice = Refund.select(Refund.invoice).where(Refund.id == event.subject_id)
    booking_of = [("invoice", _about(Invoice, Booking.ref, Invoice.id == event.subject_id)
                   .join(Booking)),
                  ("refund", _about(Invoice, Booking.ref, Invoice.id == refund_invoice)
                   .join(Booking))]
    order_of = [("invoice", _about(Order, Order.ref, Order.invoice == event.subject_id)),
                ("refund", _about(Order, Order.ref, Order.invoice == refund_invoice))]
    return (Case(kind, names).alias("subject_name"), Case(kind, booking_of).alias("of_booking"),
            Case(kind, order_of).alias("of_order"))


def _subject(event):
    """The Subject an event's row names (see _subject_columns)."""
    kind, name = event.subject_type, event.subject_name
    if kind in ("invoice", "refund"):
        text = "Invoice" if kind == "invoice" else f"Refund #{event.subject_id}"
        ref = event.of_booking or event.of_order
        if ref is None:
            return Subject(kind, text)
        return Subject(kind, f"{text} of {ref}", "booking" if event.of_booking else "order",
                       ref)
    if kind == "settings":
        text, page = SETTINGS_PAGES.get(event.action, ("Settings", "portal_settings"))
        return Subject(kind, text, page)
    if name is None:  # a row since removed, or a kind of subject this module does not know
        return Subject(kind, f"{SUBJECT_KINDS.get(kind, kind.capitalize())} #{event.subject_id}")
    if kind in ("booking", "order"):
        return Subject(kind, name, kind, name)
    return Subject(kind, name, "portal_settings" if kind == "reason" else kind,
                   event.subject_id)


# Each next action is one probe of the (action, created_at) index, not a scan of every event.
DISTINCT_ACTIONS = """
WITH RECURSIVE actions(action) AS (
    SELECT MIN(action) FROM audit_event
    UNION ALL
    SELECT (SELECT MIN(action) FROM audit_event WHERE action > actions.action)
    FROM actions WHERE actions.action IS NOT NULL)
SELECT action FROM actions"""


def filter_options():
    """The selects' choices: staff (one query) and the actions recorded so far (one query)."""
    staff = list(Staff.select(Staff.id, Staff.name, Staff.role, Staff.active)
                 .order_by(Staff.name, Staff.id).tuples())
    actions = [a for (a,) in database.execute_sql(DISTINCT_ACTIONS) if a is not None]
    return {"staff": staff, "groups": ACTORS,
            "actions": sorted(((a, action_label(a)) for a in actions), key=lambda a: a[1])}
