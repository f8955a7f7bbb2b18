"""The invoice a cancellation hands its updated card (Booking.invoice_after, built from what it
read under the lock and the lines it added) is the one a fresh read gives, line for line; when
something was paid it hands none and the card reads it as before."""
from datetime import timedelta

import pytest

from portal.billing.invoice_reads import booking_invoice
from portal.billing.invoices import add_fee, open_invoice
from portal.billing.models import NO_SHOW_FEE
from portal.billing.payments import record_payment
from portal.bookings.services import cancel_booking
from portal.kernel.actors import actor_for
from portal.settings import Settings
from tests.support.cancelling import HX, post_cancel
from tests.support.factories import booking
from tests.support.forms import csrf_from, login


def _shown(summary):
    """What a page shows of an invoice summary, and the order it shows it in."""
    return (summary.currency, summary.issued, summary.invoice_id,
            [(line.kind, line.description, line.amount, line.tax, line.created_at)
             for line in summary.lines],
            [p.id for p in summary.payments], [r.id for r in summary.refunds])


def _cancel(ref, who, **kwargs):
    return cancel_booking(ref, actor_for(who), channel="portal", settings=Settings.current(),
                          **kwargs)


def _fresh(done):
    return booking_invoice(done, Settings.current())


def test_a_booking_without_an_invoice_gets_one_and_the_card_has_it(app, world):
    done = _cancel(world.upcoming.ref, world.customer)
    assert done.invoice_after is not None
    assert [line.kind for line in done.invoice_after.lines] == ["service", "service_cancelled"]
    assert _shown(done.invoice_after) == _shown(_fresh(done))


def test_every_line_of_the_invoice_is_kept_in_order_with_an_admins_fee(app, world):
    """An invoice already holding a fee line (not a service line, which the cancel credits)
    and the admin's cancellation fee added last: all of them, in the order a page reads."""
    settings = Settings.current()
    later = booking(world.customer, world.service, timedelta(days=9), world.fw)
    open_invoice(later, world.service, settings)
    add_fee(later, world.service, settings, NO_SHOW_FEE, "Earlier fee", 1500)
    done = _cancel(later.ref, world.admin, fee=2500)
    kinds = [line.kind for line in done.invoice_after.lines]
    assert kinds == ["service", "no_show_fee", "service_cancelled", "cancellation_fee"]
    assert _shown(done.invoice_after) == _shown(_fresh(done))


def test_lines_dated_after_the_cancel_come_after_its_own(app, world):
    """Old lines dated later than the cancellation's (a clock set back): a page orders by
    created_at, and so does the summary handed over."""
    from portal.billing.models import InvoiceLine
    settings = Settings.current()
    later = booking(world.customer, world.service, timedelta(days=9), world.fw)
    open_invoice(later, world.service, settings)
    add_fee(later, world.service, settings, NO_SHOW_FEE, "Earlier fee", 1500)
    InvoiceLine.update(created_at=later.starts_at).execute()
    done = _cancel(later.ref, world.admin, fee=2500)
    kinds = [line.kind for line in done.invoice_after.lines]
    assert kinds == ["service_cancelled", "cancellation_fee", "service", "no_show_fee"]
    assert _shown(done.invoice_after) == _shown(_fresh(done))


def test_lines_of_one_moment_keep_the_order_of_their_ids(app, world):
    """One created_at for every line (a coarse clock): old lines first as read (by id), then
    the new ones as inserted, whose ids are larger and ascend: a page's order."""
    from portal.billing.invoices import after_cancel
    from portal.billing.models import InvoiceLine
    from portal.kernel.row_objects import instance
    moment = world.upcoming.starts_at
    old = [instance(InvoiceLine, {"id": i, "kind": kind, "created_at": moment})
           for i, kind in ((1, "service"), (2, "no_show_fee"))]
    added = [{"kind": "service_cancelled", "created_at": moment},
             instance(InvoiceLine, {"id": 4, "kind": "cancellation_fee", "created_at": moment})]
    invoice = open_invoice(world.upcoming, world.service, Settings.current())
    summary = after_cancel(invoice, old, added, paid=False, refunded=False)
    assert [line.kind for line in summary.lines] == [
        "service", "no_show_fee", "service_cancelled", "cancellation_fee"]
    assert after_cancel(invoice, old, added, paid=False, refunded=True) is None


def test_a_paid_invoice_is_left_to_the_card_to_read(app, world):
    settings = Settings.current()
    later = booking(world.customer, world.service, timedelta(days=9), world.fw)
    invoice = open_invoice(later, world.service, settings)
    record_payment(invoice.id, 9000, "card", "ch_1", actor_for(world.admin))
    done = _cancel(later.ref, world.customer)
    assert done.invoice_after is None
    assert _fresh(done).paid == 9000 and _fresh(done).refunds  # the cancel asked for it back


def _section(html, ref):
    start = html.index(f'<section id="invoice-{ref}"')
    return html[start:html.index("</section>", start)]


@pytest.mark.parametrize("paid", [False, True], ids=["unpaid", "paid"])
def test_the_customers_htmx_card_shows_the_invoice_the_booking_page_shows(customer_client,
                                                                          world, paid):
    if paid:
        invoice = open_invoice(world.upcoming, world.service, Settings.current())
        record_payment(invoice.id, 9000, "card", "ch_2", actor_for(world.admin))
    response = post_cancel(customer_client, world.upcoming, headers=HX)
    assert response.status_code == 200
    card = _section(response.get_data(as_text=True), world.upcoming.ref)
    page = customer_client.get(f"/bookings/{world.upcoming.ref}").get_data(as_text=True)
    assert card == _section(page, world.upcoming.ref)
    assert "(cancelled)" in card and ("Refund pending" in card) == paid


def test_the_admins_htmx_card_shows_the_invoice_the_booking_page_shows(client, world):
    login(client, world.admin.email)
    url = f"/admin/bookings/{world.upcoming.ref}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    response = client.post(f"{url}/cancel", headers=HX,
                           data={"csrf_token": token, "version": world.upcoming.version,
                                 "add_fee": "y", "fee": "25.00", "fee_default": "0.00"})
    assert response.status_code == 200
    card = _section(response.get_data(as_text=True), world.upcoming.ref)
    assert card == _section(client.get(url).get_data(as_text=True), world.upcoming.ref)
    assert "Cancellation fee" in card and "$25.00" in card
