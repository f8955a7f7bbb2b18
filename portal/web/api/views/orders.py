"""/api/v1/orders: the business's shop places an order for one of its customers."""
from ....integrations import api_orders
from ....integrations.tokens import ORDERS_WRITE
from .. import bp
from ..auth import caller, require
from ..idempotency import once
from ..inputs import json_body, order_body
from ..serialize import order_json


@bp.post("/orders")
@require(ORDERS_WRITE)
def place_order():
    data = json_body()
    fields = order_body(data)
    return once(data, lambda: (201, order_json(api_orders.place(caller(), **fields))))
