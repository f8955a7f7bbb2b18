"""Issue 18, money and destructive actions without JavaScript: approve and reject are separate
forms (on the invoice and on each row of the refund queue), a typed fee is charged and named,
rotate / deactivate / revoke ask first and refuse an unconfirmed POST, and the admin booking
page offers the booking's actions before payment (none on a cancelled booking in credit)."""
import html as html_lib
import re
from datetime import timedelta

import pytest

from portal.audit import AuditEvent
from portal.billing.invoices import open_invoice
from portal.billing.models import Invoice, InvoiceLine, Refund
from portal.billing.payments import record_payment
from portal.bookings.models import Booking
from portal.bookings.services import cancel_booking
from portal.integrations import tokens
from portal.integrations.models import ApiToken, Integration
from portal.kernel.actors import Actor
from portal.people import Staff
from portal.settings import Settings
from tests.support.api_support import integration
from tests.support.cancelling import HX
from tests.support.factories import booking
from tests.support.forms import csrf_from


def words(response):
    raw = html_lib.unescape(response.get_data(as_text=True))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", raw))


def forms(response):
    """Each <form ...>...</form> of the page, as text."""
    return re.findall(r"<form\b.*?</form>", response.get_data(as_text=True), re.S)


def csrf(client, url="/admin/bookings"):
    return csrf_from(client.get(url).get_data(as_text=True))


@pytest.fixture
def admin_actor(world):
    return Actor("admin", world.admin.id, world.admin.name)


@pytest.fixture
def asked(world, admin_actor):
    """A $60 deposit on a $90 visit the customer cancelled: the cancellation asked for the
    $60 back, in the customer's name."""
    b = booking(world.customer, world.service, timedelta(days=3), world.fw)
    invoice = open_invoice(b, world.service, world.settings)
    record_payment(invoice.id, 6000, "card", "ch_1", admin_actor)
    customer = Actor("customer", world.customer.id, world.customer.name)
    cancel_booking(b.ref, customer, channel="portal", settings=world.settings)
    return Refund.get(Refund.invoice == invoice.id)


# --- Approve and reject: two forms --------------------------------------------------------------

def test_the_invoice_has_an_approve_form_and_a_reject_form_each_with_its_note(admin_client,
                                                                              asked):
    b = asked.invoice.booking
    found = forms(admin_client.get(f"/admin/bookings/{b.ref}"))
    [approve] = [f for f in found if f"/refunds/{asked.id}/approve" in f]
    [reject] = [f for f in found if f"/refunds/{asked.id}/reject" in f]
    # Enter in a field submits its own form: the rejection reason lives only in the reject form.
    assert "Reason for rejecting" in reject and "required" in reject and "/approve" not in reject
    assert "Approval note" in approve and "/reject" not in approve
    assert re.search(r"Approve<span class=\"visually-hidden\"> \$60.00</span>", approve)


def test_a_rejection_from_its_own_form_rejects_and_keeps_the_reason(admin_client, asked):
    b = asked.invoice.booking
    response = admin_client.post(f"/admin/refunds/{asked.id}/reject", headers=HX, data={
        "csrf_token": csrf(admin_client), "version": asked.version, "note": "Paid in cash"})
    assert response.status_code == 200 and "Refund rejected." in words(response)
    refund = Refund.get_by_id(asked.id)
    assert (refund.status, refund.decision_note) == ("rejected", "Paid in cash")
    assert f"invoice-{b.ref}" in response.get_data(as_text=True)


def test_the_queue_offers_approve_and_reject_on_each_asked_row(admin_client, asked):
    response = admin_client.get("/admin/refunds?status=requested")
    page = words(response)
    assert "The customer" in page and "(customer)" not in page
    found = forms(response)
    assert any(f"/refunds/{asked.id}/approve" in f and 'name="back"' in f for f in found)
    assert any(f"/refunds/{asked.id}/reject" in f and "Reason for rejecting" in f for f in found)


def test_approving_from_the_queue_comes_back_to_the_queue_with_its_filters(admin_client, asked):
    back = "/admin/refunds?status=requested"
    response = admin_client.post(f"/admin/refunds/{asked.id}/approve", data={
        "csrf_token": csrf(admin_client), "version": asked.version, "back": back})
    assert response.status_code == 302 and response.location.endswith(back)
    assert Refund.get_by_id(asked.id).status == "approved"
    page = words(admin_client.get(back))
    ref = asked.invoice.booking.ref
    assert f"{ref}: Refund approved." in page


def test_a_refused_rejection_on_the_queue_is_422_there_and_changes_nothing(admin_client, asked):
    response = admin_client.post(f"/admin/refunds/{asked.id}/reject", data={
        "csrf_token": csrf(admin_client), "version": asked.version, "note": "",
        "back": "/admin/refunds?status=requested"})
    assert response.status_code == 422
    page = words(response)
    assert "the note is required" in page and "Refunds" in page and "Asked by" in page
    assert Refund.get_by_id(asked.id).status == "requested"


@pytest.mark.parametrize("back", ["https://elsewhere.example/admin/refunds",
                                  "//elsewhere.example/admin/refunds", "/admin/bookings"])
def test_a_back_address_other_than_the_queue_is_ignored(admin_client, asked, back):
    response = admin_client.post(f"/admin/refunds/{asked.id}/approve", data={
        "csrf_token": csrf(admin_client), "version": asked.version, "back": back})
    assert response.status_code == 302
    assert response.location.startswith(f"/admin/bookings/{asked.invoice.booking.ref}")


# --- A typed fee ------------------------------------------------------------------------------

@pytest.fixture
def fees(world):
    Settings.update(cancellation_fee=2500, no_show_fee=4000).execute()


def fee_lines(b):
    return [line.amount for line in InvoiceLine.select().join(Invoice)
            .where((Invoice.booking == b.id) & InvoiceLine.kind.endswith("_fee"))]


@pytest.mark.parametrize("data,charged", [
    ({"fee": "30.00", "fee_default": "25.00"}, 3000),            # typed, box left unticked
    ({"fee": "30", "fee_default": "25.00", "add_fee": "y"}, 3000),  # typed and ticked
    ({"fee": "25.00", "fee_default": "25.00", "add_fee": "y"}, 2500),  # the offer, ticked
])
def test_a_typed_or_ticked_fee_is_charged_and_named(admin_client, world, fees, data, charged):
    b = world.upcoming
    response = admin_client.post(f"/admin/bookings/{b.ref}/cancel", data={
        "csrf_token": csrf(admin_client), "version": b.version, **data})
    assert response.status_code == 302
    assert fee_lines(b) == [charged]
    page = words(admin_client.get(response.location))
    assert f"Cancellation fee of ${charged // 100}.00 added to the invoice." in page


@pytest.mark.parametrize("data", [{"fee": "25.00", "fee_default": "25.00"},
                                  {"fee": "25", "fee_default": "25.00"},
                                  {"fee": "", "fee_default": "25.00"}])
def test_the_offer_left_as_it_was_or_emptied_charges_nothing(admin_client, world, fees, data):
    b = world.upcoming
    response = admin_client.post(f"/admin/bookings/{b.ref}/cancel", data={
        "csrf_token": csrf(admin_client), "version": b.version, **data})
    assert response.status_code == 302 and fee_lines(b) == []
    told = words(admin_client.get(response.location))
    assert "Booking cancelled" in told and "fee of" not in told


def test_a_typed_bad_fee_without_the_box_is_422_and_changes_nothing(admin_client, world, fees):
    b = world.upcoming
    response = admin_client.post(f"/admin/bookings/{b.ref}/cancel", data={
        "csrf_token": csrf(admin_client), "version": b.version, "fee": "abc",
        "fee_default": "25.00"})
    assert response.status_code == 422 and "isn't an amount" in words(response)
    assert Booking.get_by_id(b.id).status == "scheduled" and fee_lines(b) == []


def test_a_typed_no_show_fee_is_charged_and_named(admin_client, world, fees):
    b = booking(world.customer, world.service, timedelta(hours=-3), world.fw)
    response = admin_client.post(f"/admin/bookings/{b.ref}/status", headers=HX, data={
        "csrf_token": csrf(admin_client), "version": b.version, "status": "no_show",
        "fee": "15.00", "fee_default": "40.00"})
    assert response.status_code == 200
    assert "No-show fee of $15.00 added to the invoice." in words(response)
    assert fee_lines(b) == [1500]


# --- Rotate, deactivate, revoke ask first -----------------------------------------------------

@pytest.fixture
def targets(world):
    """(page with the button, the action's URL, what the question names, has it happened?)."""
    pms = integration()
    token, _ = tokens.create_token(pms.id, [tokens.READ], Actor("system"))
    secret = pms.secret
    return {
        "deactivate": ("/admin/staff", f"/admin/staff/{world.fw.id}/deactivate",
                       f"Deactivate {world.fw.name}?",
                       lambda: not Staff.get_by_id(world.fw.id).active),
        "rotate": (f"/admin/integrations/{pms.id}", f"/admin/integrations/{pms.id}/rotate",
                   "Rotate Praktika's signing secret?",
                   lambda: Integration.get_by_id(pms.id).secret != secret),
        "revoke": (f"/admin/integrations/{pms.id}/tokens",
                   f"/admin/integrations/{pms.id}/tokens/{token.id}/revoke",
                   f"Revoke token {token.prefix}\u2026?",
                   lambda: ApiToken.get_by_id(token.id).revoked_at is not None),
    }


@pytest.mark.parametrize("action", ["deactivate", "rotate", "revoke"])
def test_the_button_asks_first_as_a_page_and_as_a_modal(admin_client, targets, action):
    page_url, url, question, happened = targets[action]
    page = admin_client.get(page_url).get_data(as_text=True)
    assert f'href="{url}"' in page and f'hx-get="{url}"' in page  # a link, not a one-click POST
    plain = admin_client.get(url)
    assert plain.status_code == 200 and question in words(plain)
    assert "<html" in plain.get_data(as_text=True)
    modal = admin_client.get(url, headers=HX).get_data(as_text=True)
    assert modal.lstrip().startswith("<dialog data-modal") and 'name="confirmed"' in modal
    assert not happened()


@pytest.mark.parametrize("action", ["deactivate", "rotate", "revoke"])
def test_a_post_without_the_confirmation_is_422_and_changes_nothing(admin_client, targets,
                                                                     action):
    page_url, url, _, happened = targets[action]
    events = AuditEvent.select().count()
    for headers in ({}, HX):
        response = admin_client.post(url, data={"csrf_token": csrf(admin_client, page_url)},
                                     headers=headers)
        assert response.status_code == 422
        assert "Nothing was changed: confirm first" in words(response)
    assert not happened() and AuditEvent.select().count() == events


@pytest.mark.parametrize("action", ["deactivate", "rotate", "revoke"])
def test_the_confirmed_post_acts(admin_client, targets, action):
    page_url, url, _, happened = targets[action]
    response = admin_client.post(url, data={"csrf_token": csrf(admin_client, page_url),
                                            "confirmed": "yes"})
    assert response.status_code == 302 and happened()


# --- The admin booking page -------------------------------------------------------------------

def test_the_booking_actions_come_before_the_invoice_and_payment_is_secondary(admin_client,
                                                                             world):
    open_invoice(world.upcoming, world.service, world.settings)
    html = admin_client.get(f"/admin/bookings/{world.upcoming.ref}").get_data(as_text=True)
    assert html.index("Cancel booking") < html.index('id="invoice-') < html.index("Record payment")
    assert re.search(r'<button type="submit" class="secondary">Record payment</button>', html)
    assert f'href="/admin/customers/{world.customer.id}"' in html


def test_a_cancelled_booking_in_credit_offers_no_payment(admin_client, asked):
    b = asked.invoice.booking
    page = admin_client.get(f"/admin/bookings/{b.ref}").get_data(as_text=True)
    assert "Record payment" not in page and "Balance" in page


def test_the_staff_cancel_step_names_the_customer(admin_client, world):
    step = words(admin_client.get(f"/admin/bookings/{world.upcoming.ref}/cancel", headers=HX))
    assert f"Customer {world.customer.name}" in step
