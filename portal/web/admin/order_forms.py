"""New order's form: the customer, and a quantity per product (fields `qty-<product id>`, so
the form works as a plain POST with any number of products)."""

from ...kernel.errors import InvalidInput
from ...orders.services import MAX_QUANTITY
from ..forms import Form, IdField

PREFIX = "qty-"


class NewOrderForm(Form):
    customer = IdField(message="Choose a customer from the list.")


def chosen_items(form_data, products):
    """[(product id, quantity)] for the quantities filled in; InvalidInput naming the product
    whose quantity can't be used. Blank and 0 mean "not this one"."""
    names = {p.id: p.name for p in products}
    items = []
    for key, raw in form_data.items():
        if not key.startswith(PREFIX):
            continue
        raw = raw.strip()
        digits = key[len(PREFIX):]
        product_id = int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 10 \
            else None
        if product_id not in names:
            raise InvalidInput("One of those products is no longer for sale. Reload the page "
                               "and choose again.")
        if not raw or raw == "0":
            continue
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_QUANTITY):
            raise InvalidInput(f"The quantity of {names[product_id]} must be a whole number "
                               f"from 0 to {MAX_QUANTITY}.")
        items.append((product_id, int(raw)))
    if not items:
        raise InvalidInput("Enter a quantity for at least one product.")
    return items
