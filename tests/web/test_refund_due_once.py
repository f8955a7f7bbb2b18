"""The customer's booking context hands refund_view the refund due its BookingPage worked out
from the same invoice summary: the same as refund_view works out by itself, in every case."""
import itertools
from types import SimpleNamespace as NS

from portal.billing.booking_refunds import refund_view
from portal.billing.invoices import InvoiceSummary
from portal.bookings import policy
from portal.bookings.page import booking_page
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.settings import Settings


def test_the_pages_refund_due_is_refund_views(app, world):
    settings, actor = Settings.current(), Actor("customer", world.customer.id, "Casey")
    lines = [[], [NS(kind="service", amount=9000, tax=900)],
             [NS(kind="service", amount=9000, tax=0), NS(kind="cancellation_fee", amount=2000,
                                                         tax=0)]]
    payments = [[], [NS(amount=9000)], [NS(amount=12000)]]
    refunds = [[], [NS(id=1, amount=3000, status="requested")],
               [NS(id=2, amount=1000, status="processed"), NS(id=3, amount=500,
                                                              status="approved"),
                NS(id=4, amount=700, status="rejected"), NS(id=5, amount=200,
                                                            status="processed")]]
    seen = set()
    for status, some_lines, paid, back in itertools.product(
            ("scheduled", "cancelled"), lines, payments, refunds):
        booking = world.upcoming
        booking.status = status
        summary = InvoiceSummary("USD", some_lines, payments=paid, refunds=back)
        page = booking_page(booking, [], actor, settings, utcnow(), invoice=summary)
        given = refund_view(booking, settings, summary, due=page.refund_due)
        assert given == refund_view(booking, settings, summary)
        seen.add(given.due > 0)
        # figures() (the page's sums, taken once) are the properties one by one
        assert summary.figures() == (summary.total, summary.paid, summary.refunded,
                                     summary.refund_pending, summary.balance)
        # sums() (customer/_invoice.html's, each list walked once) are the properties too
        assert tuple(summary.sums()) == (summary.total, summary.tax, summary.paid,
                                         summary.refunded, summary.refund_pending,
                                         summary.balance)
        assert page.invites_payment == policy.invites_payment(booking.is_cancelled,
                                                              summary.balance)
    assert seen == {True, False}
