"""What can be done to an order: each command is one transaction."""
from collections import Counter

from .. import audit
from ..billing.models import Invoice, InvoiceLine
from ..billing.money import tax_on
from ..bookings import policy
from ..bookings.services import _clean_reason_and_note  # the same reason and note rules
from ..integrations import events
from ..kernel.clock import utcnow
from ..kernel.db import locked, write_transaction
from ..kernel.errors import Conflict, Forbidden, InvalidInput, NotFound, refusal
from ..kernel.i18n import N_
from ..kernel.versioning import apply_versioned, check_version
from ..messaging.notify import notify_staff
from ..messaging.order_emails import queue_order_cancelled, queue_order_placed
from ..people import Customer, Staff
from ..settings import Settings
from .models import CANCELLED, Order, OrderItem, Product

PRODUCT_LINE = "product"
# translated where it is raised (kernel/versioning)
STALE = N_("This order changed since the page loaded. Reload and try again.")
NOT_FOUND = "We couldn't find that order."


MAX_QUANTITY = 999  # per line: more would overflow no column, but is never a real order
MAX_LINES = 50


def wanted_quantities(items: list[tuple[int, int]]) -> Counter:
    """{product_id: quantity} from [(product_id, quantity)], repeats added up; InvalidInput
    for a quantity that is not a whole number from 1 to MAX_QUANTITY, or no items at all."""
    wanted = Counter()
    for product_id, quantity in items:
        if isinstance(quantity, bool) or not isinstance(quantity, int) \
                or not 1 <= quantity <= MAX_QUANTITY:
            raise InvalidInput(f"Each quantity must be a whole number from 1 to {MAX_QUANTITY}.",
                               "quantity")
        wanted[product_id] += quantity
    if not wanted:
        raise InvalidInput("An order needs at least one item.", "items")
    if len(wanted) > MAX_LINES or max(wanted.values()) > MAX_QUANTITY:
        raise InvalidInput(f"An order holds at most {MAX_LINES} products, each at most "
                           f"{MAX_QUANTITY} times.", "items")
    return wanted


def place_order(customer_id, items, actor, *, channel="portal", now=None):
    """Place an order of `items` ([(product_id, quantity)]) and invoice it; returns the Order.

    The stock is taken in the same transaction, so two customers can't buy the last one; the
    audit event, the order.placed webhook and the customer's confirmation email commit with it.
    """
    if actor.is_customer and actor.id != customer_id:
        raise Forbidden("You can only order for yourself.", "no_permission")
    wanted = wanted_quantities(items)
    now = now or utcnow()
    with write_transaction():
        settings = Settings.current()
        customer = Customer.get_or_none(Customer.id == customer_id)
        if customer is None:
            raise InvalidInput("We couldn't find that customer. Pick one from the list, or add "
                               "them under Customers first.", "customer")
        products = {p.id: p for p in locked(Product.select().where(
            Product.id.in_(list(wanted)) & Product.active))}
        for product_id, quantity in wanted.items():
            product = products.get(product_id)
            if product is None:
                raise InvalidInput(f"Product {product_id} is not for sale: there is no such "
                                   "product, or it was taken off sale.", "product")
            # Conditional on what is left: the row lock makes it certain, this makes it obvious.
            taken = (Product.update(stock=Product.stock - quantity)
                     .where((Product.id == product_id) & (Product.stock >= quantity)).execute())
            if taken != 1:
                raise Conflict(f"Sorry, {product.name} is out of stock "
                               f"({product.stock} left).", "out_of_stock")
        invoice = Invoice.create(customer=customer_id, currency=settings.currency, created_at=now)
        rows = []
        for product_id, quantity in wanted.items():
            product, amount = products[product_id], products[product_id].price * quantity
            rows.append({"invoice": invoice.id, "kind": PRODUCT_LINE, "amount": amount,
                         "tax": tax_on(amount, settings.tax_rate_bp),
                         "description": f"{quantity} × {product.name}"[:200],
                         "tax_rate_bp": settings.tax_rate_bp, "created_at": now})
        InvoiceLine.insert_many(rows).execute()  # one statement, however many lines
        total = sum(row["amount"] + row["tax"] for row in rows)
        order = Order.create(customer=customer_id, total=total, invoice=invoice, created_at=now)
        lines = [OrderItem(order=order, product=products[product_id], quantity=quantity,
                           unit_price=products[product_id].price, reserved=True)
                 for product_id, quantity in wanted.items()]
        OrderItem.insert_many([{"order": order.id, "product": i.product.id,
                                "quantity": i.quantity, "unit_price": i.unit_price,
                                "reserved": True} for i in lines]).execute()
        audit.record("order", order.id, "placed", actor, channel, at=now,
                     after={"status": order.status, "total": total, "version": order.version})
        events.order_event("order.placed", order, actor, channel, now)
        queue_order_placed(order, customer, lines, settings)
    return order


def lock_order(ref):
    """The order row, locked for the rest of the transaction."""
    order = locked(Order.select().where(Order.ref == ref)).get_or_none()
    if order is None:
        raise NotFound(NOT_FOUND)
    return order


def order_items(order_id):
    """The order's items with their products, in one query."""
    return list(OrderItem.select(OrderItem, Product).join(Product)
                .where(OrderItem.order == order_id).order_by(OrderItem.id))


def _release_stock(items):
    """Put reserved quantities back on the shelf; the items stop holding stock."""
    for item in items:
        if item.reserved:
            Product.update(stock=Product.stock + item.quantity).where(
                Product.id == item.product_id).execute()
    held = [i.id for i in items if i.reserved]
    if held:
        OrderItem.update(reserved=False).where(OrderItem.id.in_(held)).execute()


def _request_refund(order, actor, channel):
    """Ask for back whatever was paid on the order's invoice; None when nothing was."""
    if order.invoice_id is None:
        return None
    from ..billing.refunds import refundable, request_refund  # being built alongside
    left = refundable(order.invoice_id)
    if left <= 0:
        return None
    return request_refund(order.invoice_id, left, f"Cancelled order {order.ref}", actor,
                          channel=channel)


def _notify_admins(order, customer, label, note):
    """Every active admin hears of it; orders have no fieldworkers to tell."""
    message = (f"Order {order.ref} for {customer.name} was cancelled"
               + (f" ({label})" if label else "") + (f": {note}" if note else "."))
    admins = Staff.select(Staff.id).where((Staff.role == Staff.ADMIN) & Staff.active)
    notify_staff(admins, None, "order_cancelled", message, order=order)


def cancel_order(ref, actor, *, channel, reason_id=None, note="", expected_version=None,
                 now=None):
    """Cancel the order `ref` for `actor`; returns the updated Order or raises a DomainError.

    Status, stock given back, audit event, customer email, admin notices and the refund
    request (when something was paid) commit together.
    """
    now = now or utcnow()
    with write_transaction():
        order = lock_order(ref)
        settings = Settings.current()
        verdict = policy.can_cancel_order(order, actor, settings, now)
        if not verdict:
            raise NotFound(NOT_FOUND, verdict.code) if verdict.code == "not_yours" \
                else refusal(verdict)
        reason, note = _clean_reason_and_note(reason_id, note, settings, actor)
        check_version(order, expected_version, STALE)
        label = reason.label if reason else None
        before = {"status": order.status, "version": order.version}
        apply_versioned(order, expected_version, STALE, status=CANCELLED, cancelled_at=now,
                        cancelled_by_kind=actor.kind, cancelled_by_id=actor.id,
                        cancel_channel=channel, cancel_reason=reason,
                        cancel_reason_label=label, cancel_note=note or None,
                        cancel_stage=before["status"])
        items = order_items(order.id)
        _release_stock(items)
        refund = _request_refund(order, actor, channel)
        audit.record("order", order.id, "cancelled", actor, channel, at=now, note=note,
                     before=before, after={"status": CANCELLED, "version": order.version,
                                           "reason": label,
                                           "refund": refund.amount if refund else None})
        events.order_event("order.cancelled", order, actor, channel, now)
        customer = Customer.get_by_id(order.customer_id)
        queue_order_cancelled(order, customer, items, settings, refund)
        _notify_admins(order, customer, label, note)
    return order
