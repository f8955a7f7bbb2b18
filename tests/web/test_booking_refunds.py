"""After cancelling a paid booking the customer sees what is due back under the policy and asks
for it; the amount comes from the invoice (paid, minus the fees kept, minus earlier requests)."""
import html as html_lib
import re
from datetime import timedelta

import pytest

from portal.audit import AuditEvent
from portal.billing.invoices import open_invoice
from portal.billing.models import FeeTier, Refund
from portal.billing.payments import record_payment
from portal.kernel.actors import Actor
from tests.support.cancelling import HX
from tests.support.factories import booking
from tests.support.forms import csrf_from


def words(response):
    raw = html_lib.unescape(response.get_data(as_text=True))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", raw))


@pytest.fixture
def paid(world):
    """A visit 30 hours away, paid in full ($90), with 50 % due under 48 hours' notice."""
    FeeTier.create(under_hours=48, kind="percent", percent_bp=5_000)
    b = booking(world.customer, world.service, timedelta(hours=30), world.fw)
    invoice = open_invoice(b, world.service, world.settings)
    record_payment(invoice.id, 9000, "card", "ch_123", Actor("admin", world.admin.id, "Ada"))
    return b


def cancel(client, b):
    page = client.get(f"/bookings/{b.ref}").get_data(as_text=True)
    return client.post(f"/bookings/{b.ref}/cancel", data={"csrf_token": csrf_from(page),
                                                          "version": b.version}, headers=HX)


def test_cancelling_a_paid_booking_shows_the_refund_due_and_requests_it(customer_client, world,
                                                                       paid):
    card = words(cancel(customer_client, paid))
    assert "You paid $90.00" in card and "Kept by us $45.00" in card
    assert "A refund of $45.00 is due to you." in card
    page = customer_client.get(f"/bookings/{paid.ref}").get_data(as_text=True)
    response = customer_client.post(f"/bookings/{paid.ref}/refund",
                                    data={"csrf_token": csrf_from(page)}, headers=HX)
    assert response.status_code == 200
    card = words(response)
    assert "Refund requested" in card and "Requested" in card
    assert "is due to you" not in card  # asked for already: nothing more is due
    [refund] = Refund.select()
    assert (refund.amount, refund.status, refund.requested_by_kind) == (4500, "requested",
                                                                        "customer")
    assert AuditEvent.select().where(AuditEvent.subject_type == "refund").count() == 1

    again = customer_client.post(f"/bookings/{paid.ref}/refund",
                                 data={"csrf_token": csrf_from(page)})
    assert again.status_code == 409 and "nothing (more) to refund" in words(again)
    assert Refund.select().count() == 1


def test_no_refund_before_cancelling_or_on_someone_elses_booking(customer_client, world, paid):
    page = customer_client.get(f"/bookings/{paid.ref}").get_data(as_text=True)
    response = customer_client.post(f"/bookings/{paid.ref}/refund",
                                    data={"csrf_token": csrf_from(page)})
    assert response.status_code == 409 and "after cancelling" in words(response)
    response = customer_client.post(f"/bookings/{world.others.ref}/refund",
                                    data={"csrf_token": csrf_from(page)})
    assert response.status_code == 404
    assert not Refund.select().exists()


def test_an_unpaid_cancellation_has_nothing_to_refund(customer_client, world):
    cancel(customer_client, world.upcoming)
    card = words(customer_client.get(f"/bookings/{world.upcoming.ref}"))
    assert "Payment and refund" not in card and "is due to you" not in card
