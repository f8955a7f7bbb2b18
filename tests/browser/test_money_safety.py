"""Issue 18 items 1, 6, 7 and 8 as an admin clicks and types: Enter in a rejection reason
rejects (never approves), typing a fee ticks its box and the result names it, rotate /
deactivate / revoke ask first, the Change status select waits for Continue and forgets an
abandoned choice, the booking page puts the booking before payment, and the refund queue
decides on each row."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.billing.invoices import open_invoice
from portal.billing.models import Invoice, InvoiceLine, Refund
from portal.billing.payments import record_payment
from portal.bookings.models import Assignment, Booking, Service
from portal.bookings.services import cancel_booking
from portal.integrations import tokens
from portal.integrations.models import ApiToken, Integration
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.people import Customer, Staff
from portal.settings import Settings
from tests.support.browsing import staff_log_in

pytestmark = pytest.mark.browser
ADMIN = Actor("admin", None, "Alex Admin")


def visit(hours, customer="customer@example.com"):
    """A $90 visit `hours` from now for the demo customer, with Fran on it."""
    person = Customer.get(Customer.email == customer)
    start = (utcnow() + timedelta(hours=hours)).replace(second=0, microsecond=0)
    booking = Booking.create(customer=person, service=Service.get(Service.name == "Regular clean"),
                             starts_at=start, ends_at=start + timedelta(hours=2), price=9000,
                             address=person.address)
    Assignment.create(booking=booking, staff=Staff.get(Staff.email == "fieldworker@example.com"))
    return booking


def asked_refund(hours=72, customer="customer@example.com"):
    """A $60 deposit on a visit its customer cancelled: the cancellation asked for the $60
    back in the customer's name."""
    booking = visit(hours, customer)
    invoice = open_invoice(booking, booking.service, Settings.current())
    record_payment(invoice.id, 6000, "card", "ch_demo", ADMIN)
    person = booking.customer
    cancel_booking(booking.ref, Actor("customer", person.id, person.name), channel="portal",
                   settings=Settings.current())
    return Refund.get(Refund.invoice == invoice.id)


def open_admin_booking(page, demo, ref):
    page.goto(f"{demo}/admin/bookings/{ref}")
    page.wait_for_load_state()  # htmx and app.js have run


# --- Item 1: money by accident ----------------------------------------------------------------

def test_enter_in_the_rejection_reason_rejects(page, demo):
    refund = asked_refund()
    ref = refund.invoice.booking.ref
    staff_log_in(page, demo)
    open_admin_booking(page, demo, ref)
    invoice = page.locator(f"#invoice-{ref}")
    reason = invoice.get_by_label("Reason for rejecting")
    reason.fill("Paid back in cash at the door")
    reason.press("Enter")
    expect(invoice.locator(".badge", has_text="Rejected")).to_be_visible()
    expect(invoice).to_contain_text("Refund rejected.")
    found = Refund.get_by_id(refund.id)
    assert (found.status, found.decision_note) == ("rejected", "Paid back in cash at the door")


def test_enter_in_the_approval_note_approves_with_that_note(page, demo):
    refund = asked_refund()
    ref = refund.invoice.booking.ref
    staff_log_in(page, demo)
    open_admin_booking(page, demo, ref)
    invoice = page.locator(f"#invoice-{ref}")
    note = invoice.get_by_label("Approval note")
    note.fill("Sent by bank transfer")
    note.press("Enter")
    expect(invoice.locator(".badge", has_text="Approved")).to_be_visible()
    found = Refund.get_by_id(refund.id)
    assert (found.status, found.decision_note) == ("approved", "Sent by bank transfer")


def test_typing_a_fee_ticks_its_box_and_the_result_names_it(page, demo):
    booking = visit(72)
    staff_log_in(page, demo)
    open_admin_booking(page, demo, booking.ref)
    page.locator("main").get_by_role("button", name="Cancel booking").click()
    dialog = page.locator("dialog[open]")
    box = dialog.get_by_label("Add a cancellation fee to the invoice")
    amount = dialog.get_by_label(re.compile("Fee amount"))
    expect(box).not_to_be_checked()
    amount.fill("")
    expect(box).not_to_be_checked()
    amount.press_sequentially("30")
    expect(box).to_be_checked()
    dialog.get_by_role("button", name="Cancel booking").click()
    card = page.locator(f"#booking-{booking.ref}")
    expect(card).to_contain_text("Cancellation fee of $30.00 added to the invoice.")
    fees = [line.amount for line in InvoiceLine.select().join(Invoice)
            .where((Invoice.booking == booking.id) & (InvoiceLine.kind == "cancellation_fee"))]
    assert fees == [3000]


def _targets():
    """Per action: where its button is, the button's name, the question, and whether it
    happened (read from the database)."""
    fran = Staff.get(Staff.email == "fieldworker@example.com")
    system = Integration.create(name="Praktika", kind="pms", secret="s" * 40)
    token, _ = tokens.create_token(system.id, [tokens.READ], Actor("system"))
    return {
        "deactivate": ("/admin/staff", f"Deactivate {fran.name}", f"Deactivate {fran.name}?",
                       lambda: not Staff.get_by_id(fran.id).active),
        "rotate": (f"/admin/integrations/{system.id}", "Rotate secret",
                   "Rotate Praktika's signing secret?",
                   lambda: Integration.get_by_id(system.id).secret != "s" * 40),
        "revoke": (f"/admin/integrations/{system.id}/tokens", f"Revoke token {token.prefix}",
                   f"Revoke token {token.prefix}\u2026?",
                   lambda: ApiToken.get_by_id(token.id).revoked_at is not None),
    }


@pytest.mark.parametrize("action", ["deactivate", "rotate", "revoke"])
def test_destructive_buttons_ask_first(page, demo, action):
    where, button, question, happened = _targets()[action]
    staff_log_in(page, demo)
    page.goto(f"{demo}{where}")
    page.wait_for_load_state()
    page.locator("main").get_by_role("button", name=button, exact=True).click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_role("heading", name=question)).to_be_visible()
    page.keyboard.press("Escape")  # changed my mind
    expect(dialog).to_have_count(0)
    assert not happened()
    page.locator("main").get_by_role("button", name=button, exact=True).click()
    dialog.get_by_role("button", name="Keep as it is").click()
    expect(dialog).to_have_count(0)
    assert not happened()
    page.locator("main").get_by_role("button", name=button, exact=True).click()
    dialog.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    assert happened()


@pytest.mark.parametrize("action", ["deactivate", "rotate", "revoke"])
def test_without_javascript_the_question_is_a_page(nojs_page, demo, action):
    page = nojs_page
    where, button, question, happened = _targets()[action]
    staff_log_in(page, demo)
    page.goto(f"{demo}{where}")
    page.locator("main").get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_role("heading", name=question, level=1)).to_be_visible()
    assert not happened()
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    assert happened()


# --- Item 6: the Change status select ---------------------------------------------------------

def test_browsing_the_status_list_opens_nothing_until_continue(page, demo):
    booking = visit(72)  # only Cancelled is on offer: the first arrow key lands on it
    staff_log_in(page, demo)
    open_admin_booking(page, demo, booking.ref)
    asked = []  # htmx sends its GET while the change event is handled: no waiting needed
    page.on("request", lambda r: asked.append(r.url) if "/status" in r.url else None)
    select = page.get_by_label("Change status")
    select.focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    select.select_option("cancelled")  # as a mouse pick does: a change event
    page.evaluate("() => true")  # the events above have been handled
    assert asked == []
    expect(page.locator("dialog[open]")).to_have_count(0)
    page.get_by_role("button", name="Continue").click()
    dialog = page.locator("dialog[open]")
    expect(dialog.get_by_role("heading", name="Cancel this booking?")).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(select).to_have_value("")  # back to "Scheduled (current)", not "Cancelled"
    expect(select.locator("option:checked")).to_have_text("Scheduled (current)")
    expect(select).to_be_focused()
    assert Booking.get_by_id(booking.id).status == "scheduled"


# --- Item 7: the admin booking page -----------------------------------------------------------

def test_the_booking_comes_before_payment_and_names_its_customer(page, demo):
    booking = visit(72)
    open_invoice(booking, booking.service, Settings.current())
    staff_log_in(page, demo)
    open_admin_booking(page, demo, booking.ref)
    main = page.locator("main")
    cancel = main.get_by_role("button", name="Cancel booking")
    pay = main.get_by_role("button", name="Record payment")
    assert cancel.bounding_box()["y"] < pay.bounding_box()["y"]
    cancel.click()
    facts = page.locator("dialog[open] dl")
    expect(facts).to_contain_text(re.compile(r"Customer\s*Casey Customer"))
    page.keyboard.press("Escape")
    main.get_by_role("link", name="Casey Customer").click()
    expect(page).to_have_url(re.compile(r"/admin/customers/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Casey Customer")


def test_a_cancelled_booking_in_credit_offers_no_payment(page, demo):
    refund = asked_refund()
    staff_log_in(page, demo)
    open_admin_booking(page, demo, refund.invoice.booking.ref)
    expect(page.locator("[data-invoice-balance]")).to_have_text("-$60.00")  # the deposit
    expect(page.get_by_role("button", name="Record payment")).to_have_count(0)
    expect(page.get_by_role("heading", name="Record payment")).to_have_count(0)


# --- Item 8: the refund queue -----------------------------------------------------------------

def test_the_queue_decides_on_each_row_and_fits_at_1280(page, demo):
    first = asked_refund()
    second = asked_refund(96, customer="other@example.com")
    page.set_viewport_size({"width": 1280, "height": 800})
    staff_log_in(page, demo)
    page.goto(f"{demo}/admin/refunds?status=requested")
    page.wait_for_load_state()
    row = page.locator(f"#queue-refund-{first.id}")
    expect(row).to_contain_text("The customer")
    expect(row).not_to_contain_text("(customer)")
    decision = page.get_by_role("columnheader", name="Decision")
    box = decision.bounding_box()
    assert box["x"] + box["width"] <= 1280
    reject = row.get_by_role("button", name="Reject")
    assert reject.bounding_box()["x"] + reject.bounding_box()["width"] <= 1280
    reason = row.get_by_label("Reason for rejecting")
    reason.fill("Already refunded by card")
    reason.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/refunds(\?status=requested)?$"))  # its filters
    expect(page.locator(".flash-success")).to_contain_text("Refund rejected.")
    expect(page.locator(f"#queue-refund-{first.id}")).to_have_count(0)  # no longer asked
    page.locator(f"#queue-refund-{second.id}").get_by_role("button", name="Approve").click()
    expect(page.locator(".flash-success")).to_contain_text("Refund approved.")
    assert Refund.get_by_id(first.id).status == "rejected"
    assert Refund.get_by_id(second.id).status == "approved"
