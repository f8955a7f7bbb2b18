"""Orders placed through the API (the business's own shop): the customer and products named
in the body are checked first, so each mistake is answered against the field that holds it;
then the same `place_order` as every other channel decides, under its locks."""
from dataclasses import dataclass

from peewee import fn

from ..billing.models import Invoice
from ..kernel.actors import Actor
from ..kernel.errors import InvalidInput
from ..orders.models import Order, Product
from ..orders.services import order_items, place_order
from ..people import Customer

CHANNEL = "integration"


class FieldErrors(InvalidInput):
    """Several fields of a request are wrong: `fields` is [(JSON pointer, what is wrong)]."""

    def __init__(self, fields):
        super().__init__("Some of what you sent can't be used; see errors.")
        self.fields = fields


@dataclass(frozen=True)
class OrderRecord:
    order: Order  # with its customer
    items: list  # OrderItems with their products
    currency: str


def _customer_id(customer_id, customer_email, problems):
    """The customer's id, by id or by email (not both); two queries at most."""
    if (customer_id is None) == (customer_email is None):
        problems.append(("#/customer_id", "Name the customer by customer_id or by "
                                          "customer_email (one of them)."))
        return None
    if customer_id is not None:
        if not Customer.select().where(Customer.id == customer_id).exists():
            problems.append(("#/customer_id", f"There is no customer {customer_id}. Use the id "
                                              "of one of the business's customers."))
            return None
        return customer_id
    found = Customer.select(Customer.id).where(
        fn.LOWER(Customer.email) == customer_email.strip().lower()).scalar()
    if found is None:
        problems.append(("#/customer_email", "No customer has that email. An admin adds "
                                             "customers under Customers."))
    return found


def _products(items, problems):
    """Flag every line naming a product that is not for sale (one query)."""
    ids = {product_id for product_id, _ in items}
    for_sale = {row[0] for row in Product.select(Product.id).where(
        Product.id.in_(list(ids)) & Product.active).tuples()}
    for n, (product_id, _) in enumerate(items):
        if product_id not in for_sale:
            problems.append((f"#/items/{n}/product_id", f"Product {product_id} is not for "
                                                       "sale: no such product, or it was "
                                                       "taken off sale."))


def place(actor: Actor, *, items: list[tuple[int, int]], customer_id: int | None = None,
          customer_email: str | None = None) -> OrderRecord:
    """Place an order for the named customer; returns its OrderRecord. FieldErrors (422) for
    an unknown customer or product; Conflict (409) when a product is out of stock."""
    problems = []
    customer = _customer_id(customer_id, customer_email, problems)
    _products(items, problems)
    if problems:
        raise FieldErrors(problems)
    order = place_order(customer, items, actor, channel=CHANNEL)
    return order_record(order.id)


def order_record(order_id: int) -> OrderRecord:
    """The order as the API shows it: order with customer, items with products, currency."""
    order = (Order.select(Order, Customer).join(Customer).where(Order.id == order_id).get())
    currency = Invoice.select(Invoice.currency).where(Invoice.id == order.invoice_id).scalar()
    return OrderRecord(order, order_items(order.id), currency)
