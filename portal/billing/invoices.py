"""A booking's (or an order's) invoice: opened with its service line, fee lines added in the caller's
transaction, and a summary for pages (four queries: invoice, lines, payments, refunds)."""
from dataclasses import dataclass, field
from typing import NamedTuple

from ..bookings import policy
from ..kernel.clock import utcnow
from ..kernel.compiled import Compiled, insert_row
from ..kernel.row_objects import instance
from .models import APPROVED, PROCESSED, REQUESTED, SERVICE, Invoice, InvoiceLine, Payment, Refund
from .money import tax_on


# "The caller has not read the booking's invoice": None already means "it has none".
UNREAD = object()


def _invoice_of(booking, invoice):
    return Invoice.get_or_none(Invoice.booking == booking.id) if invoice is UNREAD else invoice


def open_invoice(booking, service, settings, invoice=UNREAD):
    """The booking's invoice, created with the service line if it has none yet. `invoice`:
    the booking's as the caller read it in this transaction (None: none yet)."""
    invoice = _invoice_of(booking, invoice)
    if invoice is None:
        invoice = _new_invoice(booking, settings)
        InvoiceLine.insert(_service_row(invoice, booking, service, settings)).execute()
    return invoice


def _new_invoice(booking, settings):
    return Invoice.create(booking=booking.id, customer=booking.customer_id,
                          currency=settings.currency)


def _service_row(invoice, booking, service, settings):
    return line_row(invoice, SERVICE, service.name, booking.price, settings.tax_rate_bp)


def line_row(invoice, kind, description, amount, rate_bp):
    """An invoice line as a row for insert/insert_many, its tax worked out."""
    return {"invoice": invoice.id, "kind": kind, "description": description, "amount": amount,
            "tax_rate_bp": rate_bp, "tax": tax_on(amount, rate_bp), "created_at": utcnow()}


def service_lines(booking, service, settings, invoice=UNREAD, lines=None):
    """(invoice, its service lines as rows, unsaved rows): a booking without an invoice gets
    one, and its service line comes back unsaved, for the caller to insert with its own lines
    in one statement. `invoice` as for open_invoice; `lines`: its service lines, when the
    caller read them in this transaction."""
    invoice = _invoice_of(booking, invoice)
    if invoice is None:
        invoice = _new_invoice(booking, settings)
        row = _service_row(invoice, booking, service, settings)
        return invoice, [row], [row]
    if lines is None:
        lines = _SERVICE_LINES.rows(invoice.id)
    return invoice, [dict(line.__data__) for line in lines], []


# A cancellation reads them under the booking's lock: its SQL built once (kernel.compiled).
_SERVICE_LINES = Compiled(lambda invoice: InvoiceLine.select().where(
    (InvoiceLine.invoice == invoice) & (InvoiceLine.kind == SERVICE)), 1)


def add_fee(booking, service, settings, kind, description, amount, invoice=UNREAD):
    """Add a fee line (call inside the change's transaction); returns the line."""
    invoice = open_invoice(booking, service, settings, invoice)
    return _add_line(invoice, kind, description, amount, settings.tax_rate_bp)


def _add_line(invoice, kind, description, amount, rate_bp):
    return insert_row(InvoiceLine, **line_row(invoice, kind, description, amount, rate_bp))


def _balance(total, paid, refunded):
    return total - paid + refunded


# Which refunds count as paid back and which as still on the way (the properties and sums()).
PAID_BACK = (PROCESSED,)
ON_THE_WAY = (REQUESTED, APPROVED)


class InvoiceSums(NamedTuple):
    """Every figure of an invoice summary (InvoiceSummary.sums), in the order a page unpacks."""
    total: int
    tax: int
    paid: int
    refunded: int
    refund_pending: int
    balance: int


@dataclass
class InvoiceSummary:
    currency: str
    lines: list = field(default_factory=list)
    issued: bool = True  # False: no invoice row yet, the service line is what it will hold
    invoice_id: int | None = None
    payments: list = field(default_factory=list)  # oldest first
    refunds: list = field(default_factory=list)  # every status, oldest first

    @property
    def subtotal(self):
        return sum(line.amount for line in self.lines)

    @property
    def tax(self):
        return sum(line.tax for line in self.lines)

    @property
    def total(self):
        return self.subtotal + self.tax

    def _refunds(self, *statuses):
        return sum(r.amount for r in self.refunds if r.status in statuses)

    @property
    def paid(self):
        return sum(p.amount for p in self.payments)

    @property
    def refunded(self):
        """Paid back out (processed refunds)."""
        return self._refunds(*PAID_BACK)

    @property
    def refund_pending(self):
        """Asked for or approved, not yet paid out."""
        return self._refunds(*ON_THE_WAY)

    @property
    def refundable(self):
        """What may still be asked for back (see billing.refunds.refundable)."""
        return self.paid - self.refunded - self.refund_pending

    @property
    def balance(self):
        """Still owed; negative when the customer is in credit."""
        return _balance(self.total, self.paid, self.refunded)

    def sums(self):
        """Every figure the properties give, each list walked once: a page asking for them
        one by one (customer/_invoice.html) walked the lines five times and the payments and
        refunds twice, about 25 Python calls a card. The same sums, added in the same order."""
        subtotal = tax = 0
        for line in self.lines:
            subtotal += line.amount
            tax += line.tax
        paid = 0
        for payment in self.payments:
            paid += payment.amount
        refunded = pending = 0
        for refund in self.refunds:
            if refund.status in PAID_BACK:
                refunded += refund.amount
            elif refund.status in ON_THE_WAY:
                pending += refund.amount
        total = subtotal + tax
        return InvoiceSums(total, tax, paid, refunded, pending, _balance(total, paid, refunded))

    def figures(self):
        """(total, paid, refunded, refund_pending, balance), from sums()."""
        total, _tax, paid, refunded, pending, balance = self.sums()
        return total, paid, refunded, pending, balance

    def on_cancel(self, fee, tax_rate_bp):
        """What cancelling with `fee` (minor units, before tax) keeps and gives back, by
        policy.cancel_refund: the cancel step shows it, the cancel service requests it."""
        service = sum(line.amount + line.tax for line in self.lines if line.kind == SERVICE)
        return policy.cancel_refund(self.total, service, fee, tax_on(fee, tax_rate_bp),
                                    self.paid, self.refunded, self.refund_pending)


def after_cancel(invoice, lines, added, *, paid: bool, refunded: bool) -> "InvoiceSummary | None":
    """The summary a fresh read would give of `invoice` once a cancellation has added its lines,
    from what it read under the booking's lock (`lines`, ordered by created_at and id, and
    whether anything was `paid` or `refunded`) and the lines it added (`added`: rows as given
    to insert, or InvoiceLine objects, in the order inserted). None when something was paid or
    refunded: the caller reads those lists (booking_invoice). Only the booking's own changes,
    under its lock, add lines to its invoice, so these are every line it holds. A new line
    sorts after an old one of the same created_at (its id is the larger), new ones among
    themselves as inserted (their ids ascend): the order of billing.invoice_reads."""
    if paid or refunded:
        return None
    new = [line if isinstance(line, InvoiceLine) else instance(InvoiceLine, line)
           for line in added]
    ordered = sorted([*lines, *new], key=lambda line: line.created_at)  # stable: ids kept
    return InvoiceSummary(invoice.currency, ordered, invoice_id=invoice.id, payments=[],
                          refunds=[])


def invoice_summary(booking, settings):
    """What the booking's invoice says; a booking without one shows its service line."""
    invoice = Invoice.get_or_none(Invoice.booking == booking.id)
    if invoice is None:
        return unissued_summary(booking, settings)
    return summary_of(invoice)


def unissued_summary(booking, settings):
    """A booking without an invoice row: the service line it will hold."""
    line = InvoiceLine(kind=SERVICE, description=booking.service.name, amount=booking.price,
                       tax_rate_bp=settings.tax_rate_bp,
                       tax=tax_on(booking.price, settings.tax_rate_bp))
    return InvoiceSummary(settings.currency, [line], issued=False)


def order_invoice_summary(invoice: Invoice | None, settings) -> InvoiceSummary:
    """What an order's invoice (the row, read with the order) says; three queries."""
    if invoice is None:
        return InvoiceSummary(settings.currency, [], issued=False)
    return summary_of(invoice)


def summary_of(invoice, lines=None, payments=None, refunds=None):
    """The summary of an invoice row; each list is read unless the caller has it."""
    if lines is None:
        lines = list(InvoiceLine.select().where(InvoiceLine.invoice == invoice.id)
                     .order_by(InvoiceLine.created_at, InvoiceLine.id))
    if payments is None:
        payments = list(Payment.select().where(Payment.invoice == invoice.id)
                        .order_by(Payment.created_at, Payment.id))
    if refunds is None:
        refunds = list(Refund.select().where(Refund.invoice == invoice.id)
                       .order_by(Refund.requested_at, Refund.id))
    return InvoiceSummary(invoice.currency, lines, invoice_id=invoice.id, payments=payments,
                          refunds=refunds)
