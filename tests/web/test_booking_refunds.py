"""A paid booking's refund, as its customer follows it: the cancel step says what comes back
(and what fee is kept) before they confirm, the cancellation asks for exactly that by itself,
and the booking page shows the invoice: what was paid, kept, refunded or still pending."""
import html as html_lib
import re
from datetime import timedelta

import pytest

from portal.audit import AuditEvent
from portal.billing import refunds
from portal.billing.invoices import open_invoice
from portal.billing.models import FeeTier, Refund
from portal.billing.payments import record_payment
from portal.bookings.services import cancel_booking
from portal.kernel.actors import Actor
from portal.messaging.models import OutboxMessage
from portal.settings import Settings
from tests.support.cancelling import HX, token
from tests.support.factories import booking
from tests.support.forms import csrf_from


def words(response):
    raw = html_lib.unescape(response.get_data(as_text=True))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", raw))


def admin_of(world):
    return Actor("admin", world.admin.id, world.admin.name)


def paid_visit(world, hours=30, pay=9000):
    """A $90 visit `hours` away with `pay` recorded against its invoice."""
    b = booking(world.customer, world.service, timedelta(hours=hours), world.fw)
    invoice = open_invoice(b, world.service, Settings.current())
    if pay:
        record_payment(invoice.id, pay, "card", "ch_123", admin_of(world))
    return b


@pytest.fixture
def tiers(world):
    """All of the price is kept under a day's notice, half under two days'."""
    FeeTier.create(under_hours=24, kind="percent", percent_bp=10_000)
    FeeTier.create(under_hours=48, kind="percent", percent_bp=5_000)


def cancel(client, b):
    return client.post(f"/bookings/{b.ref}/cancel", headers=HX,
                       data={"csrf_token": token(client, b), "version": b.version})


def shown_refund(client, b):
    """The refund the cancel step promises, in minor units (None: it promises none)."""
    html = client.get(f"/bookings/{b.ref}/cancel", headers=HX).get_data(as_text=True)
    found = re.search(r'data-cancel-refund="(\d+)"', html)
    return int(found[1]) if found else None


def test_the_cancel_step_says_what_comes_back_and_cancelling_asks_for_it(customer_client,
                                                                        world, tiers):
    b = paid_visit(world)
    step = words(customer_client.get(f"/bookings/{b.ref}/cancel", headers=HX))
    assert "A late-cancellation fee of $45.00 applies" in step
    assert "You paid $90.00" in step and "We keep $45.00 (the fee)" in step
    assert "$45.00 will be refunded to you" in step
    card = words(cancel(customer_client, b))
    [refund] = Refund.select()
    assert (refund.amount, refund.status, refund.requested_by_kind, refund.requested_by_id) == (
        4500, "requested", "customer", world.customer.id)
    assert refund.reason == f"Cancelled booking {b.ref}"
    # No second press: the card shows the request, and no button to ask again.
    assert "You paid $90.00" in card and "Kept by us (cancellation fee) $45.00" in card
    assert "Refund pending $45.00" in card and "Requested" in card
    assert "Request a refund" not in card and "is due to you" not in card
    assert [e.action for e in AuditEvent.select().where(AuditEvent.subject_type == "refund")] \
        == ["refund_requested"]
    [cancelled] = AuditEvent.select().where((AuditEvent.subject_type == "booking")
                                            & (AuditEvent.action == "cancelled"))
    assert cancelled.after_data["refund"] == 4500
    email = OutboxMessage.get(OutboxMessage.subject == f"Your booking {b.ref} is cancelled")
    assert "We have asked for a refund of $45.00" in email.body_text


@pytest.mark.parametrize("hours, tax_bp, pay, promised", [
    (30, 0, 9000, 4500),     # half kept
    (30, 1000, 9900, 4950),  # half kept, tax on the fee kept too
    (30, 1000, 5000, 50),    # a deposit: all but what the fee and its tax take
    (10, 0, 9000, 0),        # all of it kept: nothing back
    (72, 825, 9743, 9743),   # no fee: everything back
    (72, 0, 0, None),        # nothing paid
])
def test_what_the_step_promises_is_what_the_cancellation_asks_for(customer_client, world, tiers,
                                                                  hours, tax_bp, pay, promised):
    Settings.update(tax_rate_bp=tax_bp).execute()
    b = paid_visit(world, hours, pay)
    assert shown_refund(customer_client, b) == promised
    assert cancel(customer_client, b).status_code == 200
    assert [r.amount for r in Refund.select()] == ([promised] if promised else [])


def test_nothing_back_is_said_before_and_after(customer_client, world, tiers):
    b = paid_visit(world, hours=10)
    step = words(customer_client.get(f"/bookings/{b.ref}/cancel", headers=HX))
    assert "Nothing is refunded: the fee covers what you paid." in step
    card = words(cancel(customer_client, b))
    assert "Nothing is due back: the fee covers what you paid." in card
    assert not Refund.select().exists()


@pytest.mark.parametrize("who, fee, asked_by, amount", [
    ("admin", 2000, "admin", 7000),        # the admin's chosen fee is kept
    ("fieldworker", None, "system", 9000),  # fieldworkers don't ask for refunds: Rebook does
])
def test_staff_cancelling_a_paid_booking_asks_for_the_customers_refund(world, who, fee,
                                                                       asked_by, amount):
    b = paid_visit(world, hours=72)
    actor = admin_of(world) if who == "admin" else Actor("fieldworker", world.fw.id, "Fred",
                                                         True)
    cancel_booking(b.ref, actor, channel=who, fee=fee, settings=world.settings)
    [refund] = Refund.select()
    assert (refund.amount, refund.requested_by_kind) == (amount, asked_by)


def test_the_admin_cancel_step_says_what_is_asked_for_the_customer(admin_client, world):
    b = paid_visit(world, hours=72)
    step = words(admin_client.get(f"/admin/bookings/{b.ref}/cancel", headers=HX))
    assert "The customer paid $90.00" in step
    assert "Cancelling asks for a refund of $90.00 for them." in step
    Settings.update(cancellation_fee=2500).execute()  # the step now offers a fee
    step = words(admin_client.get(f"/admin/bookings/{b.ref}/cancel", headers=HX))
    assert "a refund of $90.00 for them, less any fee you add and its tax." in step


def test_a_refund_asked_for_meanwhile_is_not_asked_for_twice(customer_client, world):
    b = paid_visit(world, hours=72)
    invoice_id = Refund.invoice.rel_model.get(Refund.invoice.rel_model.booking == b.id).id
    refunds.request_refund(invoice_id, 3000, "Overpaid", admin_of(world), channel="admin")
    assert shown_refund(customer_client, b) == 6000
    cancel(customer_client, b)
    assert sorted(r.amount for r in Refund.select()) == [3000, 6000]


def test_after_a_rejection_the_customer_may_ask_again(customer_client, world):
    b = paid_visit(world, hours=72)
    cancel(customer_client, b)
    [first] = Refund.select()
    refunds.reject_refund(first.id, admin_of(world), "Paid by voucher: ask us for a new one")
    card = words(customer_client.get(f"/bookings/{b.ref}"))
    assert "Not approved" in card and "Paid by voucher: ask us for a new one" in card
    assert "A refund of $90.00 is due to you." in card
    page = customer_client.get(f"/bookings/{b.ref}").get_data(as_text=True)
    response = customer_client.post(f"/bookings/{b.ref}/refund",
                                    data={"csrf_token": csrf_from(page)}, headers=HX)
    assert response.status_code == 200 and "Refund requested" in words(response)
    assert [r.status for r in Refund.select().order_by(Refund.id)] == ["rejected", "requested"]
    again = customer_client.post(f"/bookings/{b.ref}/refund",
                                 data={"csrf_token": csrf_from(page)})
    assert again.status_code == 409 and "nothing (more) to refund" in words(again)
    assert Refund.select().count() == 2


def test_no_refund_before_cancelling_or_on_someone_elses_booking(customer_client, world):
    b = paid_visit(world, hours=72)
    page = customer_client.get(f"/bookings/{b.ref}").get_data(as_text=True)
    response = customer_client.post(f"/bookings/{b.ref}/refund",
                                     data={"csrf_token": csrf_from(page)})
    assert response.status_code == 409 and "after cancelling" in words(response)
    response = customer_client.post(f"/bookings/{world.others.ref}/refund",
                                    data={"csrf_token": csrf_from(page)})
    assert response.status_code == 404
    assert not Refund.select().exists()


def test_a_scheduled_booking_shows_its_invoice_and_what_is_left_to_pay(customer_client, world):
    Settings.update(tax_rate_bp=1000).execute()
    b = paid_visit(world, hours=72, pay=3000)
    card = words(customer_client.get(f"/bookings/{b.ref}"))
    assert "Invoice Invoice lines Item Amount Regular clean $90.00" in card
    assert "Tax $9.00 Total $99.00 You paid $30.00 Still to pay $69.00" in card


def test_an_unpaid_cancellation_shows_no_refund(customer_client, world):
    open_invoice(world.upcoming, world.service, world.settings)
    cancel(customer_client, world.upcoming)
    card = words(customer_client.get(f"/bookings/{world.upcoming.ref}"))
    assert "Kept by us $0.00" in card and "You paid $0.00" in card
    assert "Payment and refund" not in card and "is due to you" not in card
    assert not Refund.select().exists()


def test_an_invoice_without_lines_still_shows_what_was_paid(customer_client, world):
    """A booking cancelled before this change (an imported one, say): paid, nothing asked yet,
    and an invoice with no lines. The button to ask stays where nothing asked by itself."""
    from portal.billing.models import Invoice
    invoice = Invoice.create(booking=world.cancelled, customer=world.customer)
    record_payment(invoice.id, 9000, "card", "F-1", admin_of(world))
    card = words(customer_client.get(f"/bookings/{world.cancelled.ref}"))
    assert "You paid $90.00" in card and "A refund of $90.00 is due to you." in card
