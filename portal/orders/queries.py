"""What the order pages show, each in a fixed number of queries."""
from dataclasses import dataclass, replace
from datetime import date

from peewee import JOIN

from ..audit.activity import timeline
from ..billing.invoices import order_invoice_summary
from ..billing.models import Invoice
from ..kernel.listing import (PAGE_SIZE, Page, count_upto, day_terms, last_page, parse_date_range,
                              parse_page, parse_search, shown)
from ..people import Customer
from .models import STATUS_LABELS, Order, Product
from .services import order_items

VIEWS = {"all": "All", **STATUS_LABELS}


def products_for_sale():
    """Every active product, by name, for the New order form (one query)."""
    return list(Product.select().where(Product.active).order_by(Product.name, Product.id))


def customer_orders(customer_id):
    """A customer's orders, newest first (one query)."""
    return list(Order.select().where(Order.customer == customer_id)
                .order_by(Order.created_at.desc(), Order.id.desc()))


def order_detail(ref, customer_id=None, settings=None):
    """The order (with its customer), items and history; None when missing or not theirs.
    Three queries, however many items or events; staff (no customer_id) with `settings` also
    get the invoice's lines, payments and refunds (three more)."""
    query = (Order.select(Order, Customer.id, Customer.name, Customer.email, Customer.phone,
                          Invoice.id, Invoice.currency)
             .join(Customer).switch(Order).join(Invoice, JOIN.LEFT_OUTER)
             .where(Order.ref == ref))
    if customer_id is not None:
        query = query.where(Order.customer == customer_id)
    order = query.get_or_none()
    if order is None:
        return None
    # Staff also see the money: the order's invoice, payments and refunds.
    detail = {"order": order, "items": order_items(order.id),
              "timeline": timeline("order", order.id, with_money=customer_id is None)}
    if customer_id is None and settings is not None:
        invoice = order_invoice_summary(order.invoice if order.invoice_id else None,
                                        settings)
        detail["invoice"] = invoice
        # A payment is asked for only while the order is live and owes something.
        detail["order_invites_payment"] = not order.is_cancelled and invoice.balance > 0
    return detail


@dataclass(frozen=True)
class OrderFilter:
    view: str = "all"
    q: str = ""
    page: int = 1
    date_from: date | None = None  # the day placed, in the business timezone, both included
    date_to: date | None = None
    tz: str = "UTC"
    notes: tuple = ()

    @classmethod
    def from_args(cls, args, tz="UTC"):
        """The filter in these query args; unusable values become notes, never errors."""
        notes = []
        date_from, date_to = parse_date_range(args, tz, notes)
        view = args.get("view", "")
        if view and view not in VIEWS:
            notes.append(f"“{shown(view)}” is not a list of orders; showing All.")
        q = parse_search(args, notes)
        return cls(view=view if view in VIEWS else "all", q=q,
                   page=parse_page(args.get("page"), notes), date_from=date_from,
                   date_to=date_to, tz=tz, notes=tuple(notes))

    @property
    def is_narrowed(self):
        return bool(self.to_args(page=1))

    def to_args(self, **changes):
        """URL args for this filter (with changes), defaults left out so links stay short."""
        f = replace(self, **changes) if changes else self
        args = {"view": f.view if f.view != "all" else None, "q": f.q or None,
                "from": f.date_from.isoformat() if f.date_from else None,
                "to": f.date_to.isoformat() if f.date_to else None,
                "page": f.page if f.page > 1 else None}
        return {key: value for key, value in args.items() if value is not None}

    def conditions(self):
        terms = []
        if self.view != "all":
            terms.append(Order.status == self.view)
        terms += day_terms(Order.created_at, self.date_from, self.date_to, self.tz)
        if self.q:  # contains() is ILIKE (LIKE on SQLite) and escapes % and _
            terms.append(Customer.name.contains(self.q) | Customer.email.contains(self.q)
                         | Order.ref.contains(self.q))
        return terms


def find_orders(flt):
    """One page of matching orders, newest first, in two queries: the count and the rows."""
    terms = flt.conditions()
    counted = Order.select(Order.id).join(Customer)
    total, more = count_upto(counted.where(*terms) if terms else counted, flt.page)
    pages, page, notes = last_page(total, more, flt.page)
    # Only the columns the table shows: a customer row also carries their password hash.
    query = Order.select(Order, Customer.id, Customer.name, Customer.email).join(Customer)
    rows = list((query.where(*terms) if terms else query)
                .order_by(Order.created_at.desc(), Order.id.desc())
                .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return Page(rows, total, page, pages, notes, more)
