"""The customer's booking page (and the admin's) reads the booking, its fieldworkers and its
invoice in one statement (billing.invoice_reads.booking_with_invoice): the same rows, fieldworkers and invoice
summary as reading them apart, whatever the mix of fieldworkers and invoice lines."""
from datetime import timedelta

from portal.billing import invoice_reads
from portal.billing.invoice_reads import booking_invoice, booking_with_invoice
from portal.billing.invoices import add_fee, open_invoice
from portal.billing.payments import record_payment
from portal.bookings.queries import booking_detail
from portal.bookings.services import cancel_booking
from portal.kernel.actors import Actor
from tests.support.booking_reads import summary_shape
from tests.support.factories import booking
from tests.support.forms import login
from tests.support.queries import count_queries


def apart(ref, customer_id, settings):
    b, staff = booking_detail(ref, customer_id=customer_id)
    return b, staff, (booking_invoice(b, settings) if b is not None else None)


def assert_same(ref, customer_id, settings):
    together = booking_with_invoice(ref, customer_id, settings)
    separately = apart(ref, customer_id, settings)
    if separately[0] is None:
        assert together == (None, [], None)
        return
    assert together[0].__data__ == separately[0].__data__
    assert together[0].service.__data__ == separately[0].service.__data__
    assert together[0].customer.__data__ == separately[0].customer.__data__
    assert [s.__data__ for s in together[1]] == [s.__data__ for s in separately[1]]
    assert summary_shape(together[2]) == summary_shape(separately[2])


def test_one_statement_gives_what_the_separate_reads_give(app, world):
    admin = Actor("admin", world.admin.id, world.admin.name)
    casey = Actor("customer", world.customer.id, world.customer.name)
    settings = world.settings
    # Two fieldworkers and three lines: six rows in the statement.
    open_invoice(world.upcoming, world.service, settings)
    add_fee(world.upcoming, world.service, settings, "fee", "Parking", 700)
    add_fee(world.upcoming, world.service, settings, "fee", "Keys", 300)
    alone = booking(world.customer, world.service, timedelta(days=8))  # no fieldworker
    paid = booking(world.customer, world.service, timedelta(days=9), world.fw)
    record_payment(open_invoice(paid, world.service, settings).id, 5000, "card", "", admin)
    cancel_booking(paid.ref, casey, channel="portal", settings=settings)  # credit + refund
    bare = booking(world.customer, world.service, timedelta(days=11), world.fw)
    open_invoice(bare, world.service, settings)  # an invoice of one line
    for _ in range(2):  # the first read goes through peewee, the next through kernel.compiled
        for ref in (world.upcoming.ref, world.later.ref, alone.ref, paid.ref, bare.ref,
                    world.cancelled.ref):
            assert_same(ref, world.customer.id, settings)
            assert_same(ref, None, settings)  # any customer's: the admin's booking page
        assert_same(world.others.ref, world.customer.id, settings)  # someone else's
        assert_same(world.others.ref, None, settings)
        assert_same("BK-NOSUCH", world.customer.id, settings)
        assert_same("BK-NOSUCH", None, settings)
    assert booking_with_invoice(world.others.ref, None, settings)[0].ref == world.others.ref
    # The payment and refund counts (no model's fields) are read by kernel.compiled's reader too.
    for query in (invoice_reads._WITH_INVOICE, invoice_reads._ANY_WITH_INVOICE):
        readers = list(query._readers.values())
        assert [type(reader).__name__ for reader in readers] == ["Reader"]


def test_an_unpaid_booking_and_its_invoice_are_one_statement(app, world):
    open_invoice(world.upcoming, world.service, world.settings)
    booking_with_invoice(world.upcoming.ref, world.customer.id, world.settings)
    with count_queries() as ran:
        b, staff, summary = booking_with_invoice(world.upcoming.ref, world.customer.id,
                                                 world.settings)
        assert [s.id for s in staff] == [world.fw.id, world.fw2.id]  # by name
        assert [line.kind for line in summary.lines] == ["service"] and summary.paid == 0
    assert len(ran) == 1


def test_the_admin_booking_page_reads_the_invoice_with_the_booking(app, world):
    open_invoice(world.upcoming, world.service, world.settings)
    add_fee(world.upcoming, world.service, world.settings, "fee", "Parking", 700)
    client = app.test_client()
    login(client, world.admin.email)
    with count_queries() as ran:
        html = client.get(f"/admin/bookings/{world.upcoming.ref}").get_data(as_text=True)
    assert "Parking" in html
    assert not any("invoice_line" in sql and "booking" not in sql for sql in map(str, ran))
