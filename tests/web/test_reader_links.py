"""A Reader (kernel/row_objects.py) links the objects of a joined row as peewee's cursor
wrapper does: a foreign key's object kept in __rel__ with its id copied into __data__ (not
marked dirty), a backref or aliased join as a plain attribute, an absent outer row as None.
Compared here with peewee's own reading of the same queries, datetimes included."""
from datetime import timedelta

from portal.billing.invoices import add_fee
from portal.billing.models import CANCELLATION_FEE, Invoice
from portal.bookings import cancel_reads, services
from portal.bookings.cancel_reads import NO_DAY
from portal.kernel.clock import utcnow
from portal.settings import Settings
from tests.support.factories import booking


def _shape(obj, depth=2):
    """Everything peewee keeps on a model object, related objects followed."""
    if obj is None or depth == 0:
        return obj if obj is None else type(obj).__name__
    return {"type": type(obj).__name__, "data": dict(obj.__data__), "dirty": set(obj._dirty),
            "rel": {k: _shape(v, depth - 1) for k, v in obj.__rel__.items()},
            "attrs": {k: _shape(v, depth - 1) if hasattr(v, "__data__") else v
                      for k, v in vars(obj).items() if not k.startswith("_")}}


def _both(compiled, *args):
    kept = compiled.rows(*args)
    plain = list(compiled._build(*args))  # the same query, read by peewee
    return [_shape(r) for r in kept], [_shape(r) for r in plain]


def test_the_locking_read_links_as_peewee_does(world):
    settings = Settings.current()
    with_invoice = world.upcoming
    add_fee(with_invoice, world.service, settings, CANCELLATION_FEE, "Fee", 500)
    for b in (with_invoice, world.later):  # with an invoice, and without (the outer join)
        kept, plain = _both(services._LOCK_WITH_PARTIES, b.ref)
        assert kept == plain and len(kept) == 1


def test_the_after_lock_read_links_as_peewee_does(world):
    b = booking(world.customer, world.service, timedelta(days=2), world.fw)
    settings = Settings.current()
    add_fee(b, world.service, settings, CANCELLATION_FEE, "Fee", 500)
    now = utcnow()
    invoice = Invoice.get(Invoice.booking == b.id)
    for booking_id, invoice_id in ((b.id, invoice.id), (world.upcoming.id, 0),
                                   (world.later.id, 0)):
        kept, plain = _both(cancel_reads._AFTER_LOCK, booking_id, invoice_id, now, NO_DAY,
                            NO_DAY)
        assert kept == plain and kept
