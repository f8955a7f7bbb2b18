"""Demo orders: a few products, and orders for one customer in the states worth showing."""
from .. import audit
from ..billing.models import Payment
from ..kernel.actors import SYSTEM, Actor
from .models import PROCESSING, SHIPPED, Order, Product
from .services import place_order


def _advance(order, *statuses):
    """Move a demo order along as the warehouse would, each step in its history."""
    was = order.status
    for status in statuses:
        Order.update(status=status, version=Order.version + 1).where(
            Order.id == order.id).execute()
        audit.record("order", order.id, status, SYSTEM, "system",
                     before={"status": was}, after={"status": status})
        was = status


def load_demo_orders(customer):
    """One placed order (paid, so cancelling it asks for a refund), one processing, one
    shipped; call inside the demo's transaction."""
    actor = Actor("customer", customer.id, customer.name)
    cloths = Product.create(name="Microfibre cloths (pack of 10)", price=1200, stock=40)
    spray = Product.create(name="Eco surface spray", price=850, stock=25)
    mop = Product.create(name="Spin mop and bucket", price=3900, stock=6)
    placed = place_order(customer.id, [(cloths.id, 2), (spray.id, 1)], actor)
    Payment.create(invoice=placed.invoice_id, amount=placed.total, method="card",
                   reference="DEMO-1", recorded_by_kind="system", recorded_by_label="Rebook")
    _advance(place_order(customer.id, [(mop.id, 1)], actor), PROCESSING)
    _advance(place_order(customer.id, [(spray.id, 3)], actor), PROCESSING, SHIPPED)
