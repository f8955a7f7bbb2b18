"""The customer hears of every refund decision, on a booking or an order: approved with the
amount, rejected with the note, paid out with the reference; queued with the decision (a
refused decision sends nothing) and delivered through a real SMTP server."""
import html as html_lib
import re
from datetime import timedelta

import pytest

from portal.billing import refunds
from portal.billing.invoices import open_invoice
from portal.billing.models import Refund
from portal.billing.payments import record_payment
from portal.bookings.services import cancel_booking
from portal.kernel.actors import Actor
from portal.kernel.errors import Conflict
from portal.messaging.models import OutboxMessage
from portal.messaging.outbox import work_once
from portal.orders.models import Product
from portal.orders.services import cancel_order, place_order
from tests.support.factories import booking
from tests.support.forms import csrf_from


def words(response):
    raw = html_lib.unescape(response.get_data(as_text=True))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", raw))


def refund_mails():
    return list(OutboxMessage.select().where(OutboxMessage.subject.startswith("Refund"))
                .order_by(OutboxMessage.id))


@pytest.fixture
def admin(world):
    return Actor("admin", world.admin.id, world.admin.name)


@pytest.fixture
def customer(world):
    return Actor("customer", world.customer.id, world.customer.name)


@pytest.fixture
def booking_refund(world, admin, customer):
    """$90 paid on a visit three days away; the customer cancelled, so $90 was asked back."""
    b = booking(world.customer, world.service, timedelta(days=3), world.fw)
    invoice = open_invoice(b, world.service, world.settings)
    record_payment(invoice.id, 9000, "card", "ch_1", admin)
    cancel_booking(b.ref, customer, channel="portal", settings=world.settings)
    return Refund.get(Refund.invoice == invoice.id)


@pytest.fixture
def order_refund(world, admin, customer):
    """A $24.00 order, paid and then cancelled by its customer: $24.00 asked back."""
    cloths = Product.create(name="Cloths", price=1200, stock=10)
    order = place_order(world.customer.id, [(cloths.id, 2)], customer)
    record_payment(order.invoice_id, 2400, "card", "ch_2", admin)
    cancel_order(order.ref, customer, channel="portal")
    refund = Refund.get(Refund.invoice == order.invoice_id)
    refund.order_ref = order.ref
    return refund


def test_approval_then_payout_each_email_the_customer_once(admin_client, world, booking_refund):
    ref = booking_refund.invoice.booking.ref
    page = admin_client.get(f"/admin/bookings/{ref}").get_data(as_text=True)
    response = admin_client.post(f"/admin/refunds/{booking_refund.id}/approve", data={
        "csrf_token": csrf_from(page), "version": booking_refund.version,
        "note": "Sorry to miss you"})
    assert response.status_code == 302
    [approved] = refund_mails()
    assert approved.to_address == world.customer.email
    assert approved.subject == f"Refund approved: $90.00 for booking {ref}"
    assert "Your refund of $90.00 for booking" in approved.body_text
    assert "Sorry to miss you" in approved.body_text
    assert f"See it on your page: http://localhost/bookings/{ref}" in approved.body_text
    assert "$90.00" in approved.body_html

    refunds.mark_processed(booking_refund.id, Actor("admin", world.admin.id, "Ada"), "re_456")
    approved_again, paid = refund_mails()
    assert approved_again.id == approved.id  # one email per decision
    assert paid.subject == f"Refund paid: $90.00 for booking {ref}"
    assert "Reference: re_456" in paid.body_text and "re_456" in paid.body_html


def test_a_rejection_emails_the_note(world, admin, booking_refund):
    refunds.reject_refund(booking_refund.id, admin, "Paid by voucher")
    [rejected] = refund_mails()
    assert rejected.subject.startswith("Refund not approved: $90.00 for booking ")
    assert "Why:      Paid by voucher" in rejected.body_text
    assert "Paid by voucher" in rejected.body_html


def test_a_refused_decision_sends_nothing(world, admin, booking_refund):
    with pytest.raises(Conflict):
        refunds.approve_refund(booking_refund.id, admin, expected_version=booking_refund.version
                               + 1)
    with pytest.raises(Conflict):  # only an approved refund is paid out
        refunds.mark_processed(booking_refund.id, admin, "re_1")
    assert refund_mails() == []
    assert Refund.get_by_id(booking_refund.id).status == "requested"


def test_an_orders_refund_decisions_name_the_order_and_link_its_page(world, admin,
                                                                     order_refund):
    refunds.approve_refund(order_refund.id, admin)
    refunds.mark_processed(order_refund.id, admin, "re_789")
    approved, paid = refund_mails()
    ref = order_refund.order_ref
    assert approved.subject == f"Refund approved: $24.00 for order {ref}"
    assert paid.subject == f"Refund paid: $24.00 for order {ref}"
    assert f"/orders/{ref}" in approved.body_text and "re_789" in paid.body_text


def test_the_decision_emails_reach_a_real_smtp_server(world, admin, booking_refund, smtp):
    refunds.approve_refund(booking_refund.id, admin)
    refunds.mark_processed(booking_refund.id, admin, "re_456")
    while work_once()[0]:
        pass
    got = {str(m["Subject"]): m for m in smtp.parsed() if m["To"] == world.customer.email}
    ref = booking_refund.invoice.booking.ref
    approved = got[f"Refund approved: $90.00 for booking {ref}"]
    paid = got[f"Refund paid: $90.00 for booking {ref}"]
    assert "$90.00" in approved.get_body(("plain",)).get_content()
    assert "re_456" in paid.get_body(("plain",)).get_content()


def test_the_customer_pages_show_each_decision(customer_client, world, admin, booking_refund,
                                               order_refund):
    ref = booking_refund.invoice.booking.ref
    refunds.approve_refund(booking_refund.id, admin)
    refunds.mark_processed(booking_refund.id, admin, "re_456")
    card = words(customer_client.get(f"/bookings/{ref}"))
    assert "You paid $90.00" in card and "Refunded to you $90.00" in card
    assert "Paid back" in card and "reference re_456" in card and "Refund pending" not in card
    refunds.reject_refund(order_refund.id, admin, "Opened and used")
    page = words(customer_client.get(f"/orders/{order_refund.order_ref}"))
    assert "You paid $24.00" in page and "Not approved" in page and "Opened and used" in page
