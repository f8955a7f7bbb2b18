"""What the customer pages show: the searchable list, the picker on New booking, and one
customer's page. Each is a fixed number of queries, however many rows there are."""
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from peewee import JOIN, fn

from ..audit import AuditEvent
from ..billing.invoices import InvoiceSummary
from ..billing.models import Invoice, InvoiceLine, Payment, Refund
from ..bookings.models import SCHEDULED, Assignment, Booking, CustomerBookingCount, Service
from ..kernel.errors import NotFound
from ..kernel.listing import PAGE_SIZE, Page, count_upto, last_page, parse_page, parse_search
from ..orders.models import Order
from . import Customer, Staff
from .contact_details import PHONE_PUNCTUATION, looks_like_phone, phone_digits

PROFILE_ROWS = 50  # per section of a customer's page; "more" links to the full lists
PICKER_ROWS = 10
# Only what the pages show: a customer row also carries their password hash.
LISTED = (Customer.id, Customer.name, Customer.email, Customer.phone, Customer.address,
          Customer.may_book_online, Customer.created_at,
          (Customer.password_hash != "").alias("has_password"))


@dataclass(frozen=True)
class CustomerFilter:
    q: str = ""
    page: int = 1
    notes: tuple = ()

    @classmethod
    def from_args(cls, args):
        notes = []
        q = parse_search(args, notes)
        return cls(q=q, page=parse_page(args.get("page"), notes), notes=tuple(notes))

    def to_args(self, **changes):
        f = replace(self, **changes) if changes else self
        args = {"q": f.q or None, "page": f.page if f.page > 1 else None}
        return {key: value for key, value in args.items() if value is not None}


def _digits_of(column):
    """SQL for the column with phone punctuation removed (both engines have REPLACE)."""
    for ch in PHONE_PUNCTUATION:
        column = fn.REPLACE(column, ch, "")
    return column


def matching(q):
    """The WHERE term for a search by part of a name, email or phone number; a phone number
    matches however it was punctuated ('5550102000' finds '(555) 010-2000')."""
    term = Customer.name.contains(q) | Customer.email.contains(q) | Customer.phone.contains(q)
    if looks_like_phone(q) and len(phone_digits(q)) >= 3:
        term |= _digits_of(Customer.phone).contains(phone_digits(q))
    return term


def find_customers(flt, now):
    """One page of customers by name, each with (bookings, next visit): two queries, the
    same at any number of bookings: the count is kept per customer (migration 0027's
    triggers) and the next visit is one step into the customer's (customer_id, starts_at,
    status) index."""
    counted = Customer.select(Customer.id)
    total, more = count_upto(counted.where(matching(flt.q)) if flt.q else counted, flt.page)
    pages, page, notes = last_page(total, more, flt.page)
    in_order = (fn.LOWER(Customer.name), Customer.id)
    shown = Customer.select(Customer.id)
    # The page's ids first, then their columns: with the next visit in the same SELECT as the
    # ORDER BY, SQLite worked it out for every customer before keeping 25.
    shown = ((shown.where(matching(flt.q)) if flt.q else shown).order_by(*in_order)
             .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE).alias("shown"))
    upcoming = Booking.alias()
    next_visit = (upcoming.select(upcoming.starts_at)
                  .where((upcoming.customer == Customer.id) & (upcoming.status == SCHEDULED)
                         & (upcoming.starts_at > now))
                  .order_by(upcoming.starts_at).limit(1))
    rows = list(Customer.select(*LISTED, fn.COALESCE(CustomerBookingCount.bookings, 0)
                                .alias("booking_count"), next_visit.alias("next_at"))
                .join(shown, on=(shown.c.id == Customer.id))
                .join(CustomerBookingCount, JOIN.LEFT_OUTER,
                      on=(CustomerBookingCount.customer_id == Customer.id))
                .order_by(*in_order).objects())
    return Page([(c, c.booking_count, _stamp(c.next_at)) for c in rows], total, page, pages,
                notes, more)


def _stamp(value):
    """An aggregate's datetime (SQLite hands it back as text)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def picker_choices(q, chosen_id=None):
    """Customers for New booking's picker: the chosen one (if any) and up to ten matches."""
    chosen = None
    if chosen_id is not None:
        chosen = Customer.select(*LISTED).where(Customer.id == chosen_id).get_or_none()
    matches = []
    if q:
        matches = list(Customer.select(*LISTED).where(matching(q))
                       .order_by(fn.LOWER(Customer.name), Customer.id).limit(PICKER_ROWS))
    return chosen, matches


def get_customer(customer_id):
    customer = Customer.select(*LISTED).where(Customer.id == customer_id).get_or_none()
    if customer is None:
        raise NotFound("We couldn't find that customer. They may have been removed; "
                       "search the customer list.")
    return customer


def _invoices(customer_id):
    """The customer's newest invoices as InvoiceSummary rows (totals and balances), each
    with what it is for: four queries for all of them."""
    invoices = list(Invoice.select(Invoice, Booking.ref.alias("booking_ref"),
                                   Order.ref.alias("order_ref"))
                    .join(Booking, JOIN.LEFT_OUTER, on=(Invoice.booking == Booking.id))
                    .switch(Invoice).join(Order, JOIN.LEFT_OUTER, on=(Order.invoice == Invoice.id))
                    .where(Invoice.customer == customer_id)
                    .order_by(Invoice.created_at.desc(), Invoice.id.desc())
                    .limit(PROFILE_ROWS + 1).objects())
    ids = [i.id for i in invoices]
    parts = {name: defaultdict(list) for name in ("lines", "payments", "refunds")}
    for name, model in (("lines", InvoiceLine), ("payments", Payment), ("refunds", Refund)):
        for row in model.select().where(model.invoice.in_(ids)).order_by(model.id):
            parts[name][row.invoice_id].append(row)
    return [(invoice, InvoiceSummary(invoice.currency, parts["lines"][invoice.id],
                                     invoice_id=invoice.id,
                                     payments=parts["payments"][invoice.id],
                                     refunds=parts["refunds"][invoice.id]))
            for invoice in invoices]


def _history(customer_id):
    """Audit events about the customer, their bookings, orders, invoices (payments) and
    refunds, newest first, each with the booking or order reference it concerns: one query."""
    invoices = Invoice.select(Invoice.id).where(Invoice.customer == customer_id)
    subjects = {"booking": Booking.select(Booking.id).where(Booking.customer == customer_id),
                "order": Order.select(Order.id).where(Order.customer == customer_id),
                "invoice": invoices,
                "refund": Refund.select(Refund.id).where(Refund.invoice.in_(invoices))}
    about = (AuditEvent.subject_type == "customer") & (AuditEvent.subject_id == customer_id)
    for kind, ids in subjects.items():
        about |= (AuditEvent.subject_type == kind) & AuditEvent.subject_id.in_(ids)
    return list(AuditEvent.select(AuditEvent, Booking.ref.alias("booking_ref"),
                                  Order.ref.alias("order_ref"))
                .join(Booking, JOIN.LEFT_OUTER, on=((AuditEvent.subject_type == "booking")
                                                    & (Booking.id == AuditEvent.subject_id)))
                .switch(AuditEvent)
                .join(Order, JOIN.LEFT_OUTER, on=((AuditEvent.subject_type == "order")
                                                  & (Order.id == AuditEvent.subject_id)))
                .where(about).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
                .limit(PROFILE_ROWS + 1).objects())


def customer_profile(customer_id):
    """Everything the customer page shows, in nine queries. Each list holds up to
    PROFILE_ROWS rows; `more` says which lists have further rows."""
    customer = get_customer(customer_id)
    bookings = list(Booking.select(Booking, Service.id, Service.name).join(Service)
                    .where(Booking.customer == customer.id)
                    .order_by(Booking.starts_at.desc(), Booking.id.desc())
                    .limit(PROFILE_ROWS + 1))
    names = defaultdict(list)
    for booking_id, name in (Assignment.select(Assignment.booking, Staff.name).join(Staff)
                             .where(Assignment.booking.in_([b.id for b in bookings]))
                             .order_by(Staff.name).tuples()):
        names[booking_id].append(name)
    orders = list(Order.select().where(Order.customer == customer.id)
                  .order_by(Order.created_at.desc(), Order.id.desc()).limit(PROFILE_ROWS + 1))
    invoices, events = _invoices(customer.id), _history(customer.id)
    lists = {"bookings": bookings, "orders": orders, "invoices": invoices, "events": events}
    more = {name: len(rows) > PROFILE_ROWS for name, rows in lists.items()}
    return {"customer": customer, "more": more,
            "bookings": [(b, names[b.id]) for b in bookings[:PROFILE_ROWS]],
            "orders": orders[:PROFILE_ROWS], "invoices": invoices[:PROFILE_ROWS],
            "events": events[:PROFILE_ROWS],
            "balances": _balances(invoices[:PROFILE_ROWS])}


def _balances(invoices):
    """What is owed per currency (an invoice keeps the currency it was issued in)."""
    owed = defaultdict(int)
    for _, summary in invoices:
        owed[summary.currency] += summary.balance
    return dict(owed)
