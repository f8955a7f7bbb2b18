"""The staff refund queue: a filter read from the URL, totals per status, one page of rows."""
from dataclasses import dataclass, replace
from datetime import date

from peewee import JOIN, fn

from ..bookings.models import Booking
from ..orders.models import Order
from ..kernel.listing import (PAGE_SIZE, Page, count_upto, day_terms, last_page, parse_date_range,
                              parse_page, parse_search, shown)
from ..people import Customer
from .models import APPROVED, PROCESSED, REJECTED, REQUESTED, Invoice, Refund

STATUSES = {REQUESTED: "Requested", APPROVED: "Approved", PROCESSED: "Processed",
            REJECTED: "Rejected", "all": "All"}
# What waits for someone is what the queue opens on.
DEFAULT_STATUS = REQUESTED


@dataclass(frozen=True)
class RefundFilter:
    status: str = DEFAULT_STATUS
    date_from: date | None = None  # requested on, business-timezone days, both included
    date_to: date | None = None
    q: str = ""
    page: int = 1
    tz: str = "UTC"
    notes: tuple = ()

    @classmethod
    def from_args(cls, args, tz):
        """The filter in these query args; unusable values become notes, never errors."""
        notes = []
        status = args.get("status", "")
        if status and status not in STATUSES:
            notes.append(f"“{shown(status)}” is not a refund status; showing "
                         f"{STATUSES[DEFAULT_STATUS].lower()} refunds.")
        date_from, date_to = parse_date_range(args, tz, notes)
        q = parse_search(args, notes)
        return cls(status=status if status in STATUSES else DEFAULT_STATUS,
                   date_from=date_from, date_to=date_to, q=q,
                   page=parse_page(args.get("page"), notes), tz=tz, notes=tuple(notes))

    @property
    def is_narrowed(self):
        return bool(self.to_args(page=1))

    def to_args(self, **changes):
        """URL args for this filter (with changes), defaults left out so links stay short."""
        f = replace(self, **changes) if changes else self
        args = {"status": f.status if f.status != DEFAULT_STATUS else None,
                "from": f.date_from.isoformat() if f.date_from else None,
                "to": f.date_to.isoformat() if f.date_to else None,
                "q": f.q or None, "page": f.page if f.page > 1 else None}
        return {key: value for key, value in args.items() if value is not None}

    def conditions(self, with_status=True):
        """WHERE terms; the totals leave the status out so every status gets its sum."""
        terms = []
        if with_status and self.status != "all":
            terms.append(Refund.status == self.status)
        terms += day_terms(Refund.requested_at, self.date_from, self.date_to, self.tz)
        if self.q:
            terms.append(Customer.name.contains(self.q) | Customer.email.contains(self.q)
                         | Booking.ref.contains(self.q))
        return terms


@dataclass(frozen=True)
class Totals:
    """Per status: (count, amount in minor units)."""
    by_status: dict

    def count(self, status):
        return self.by_status.get(status, (0, 0))[0]

    def amount(self, status):
        return self.by_status.get(status, (0, 0))[1]


def _joined(query, with_order=False):
    # Invoices of orders have no booking: an outer join keeps their refunds listed, and (for
    # the rows shown) another finds the order, so each row links to its booking or order.
    query = (query.join(Invoice).join(Customer, on=(Invoice.customer == Customer.id))
             .switch(Invoice).join(Booking, JOIN.LEFT_OUTER, on=(Invoice.booking == Booking.id)))
    if with_order:
        query = query.switch(Invoice).join(Order, JOIN.LEFT_OUTER,
                                           on=(Order.invoice == Invoice.id), attr="order")
    return query


def refund_totals(flt):
    """Count and sum per status under the filter's dates and search: one GROUP BY query."""
    query = _joined(Refund.select(Refund.status, fn.COUNT(Refund.id), fn.SUM(Refund.amount)))
    terms = flt.conditions(with_status=False)
    rows = (query.where(*terms) if terms else query).group_by(Refund.status).tuples()
    return Totals({status: (count, int(amount or 0)) for status, count, amount in rows})


def find_refunds(flt):
    """One page of refunds (invoice, booking and customer joined) in two queries."""
    terms = flt.conditions()
    counted = _joined(Refund.select(Refund.id))
    total, more = count_upto(counted.where(*terms) if terms else counted, flt.page)
    pages, page, notes = last_page(total, more, flt.page)
    # Waiting requests oldest first (first come, first decided); history newest first.
    order = ((Refund.requested_at.asc(), Refund.id.asc()) if flt.status == REQUESTED
             else (Refund.requested_at.desc(), Refund.id.desc()))
    query = _joined(Refund.select(Refund, Invoice.id, Invoice.currency, Customer.id,
                                  Customer.name, Customer.email, Booking.id, Booking.ref,
                                  Order.id, Order.ref), with_order=True)
    rows = list((query.where(*terms) if terms else query).order_by(*order)
                .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return Page(rows, total, page, pages, notes, more)
