"""Visits for the tests that run on the demo business (`demo` fixture, portal/ops/demo data)."""
from datetime import timedelta

from portal.billing.invoices import open_invoice
from portal.billing.payments import record_payment
from portal.bookings.models import Assignment, Booking, Service
from portal.kernel.actors import Actor
from portal.people import Customer, Staff
from portal.settings import Settings
from tests.support.browsing import CUSTOMER


def regular_clean():
    return Service.get(Service.name == "Regular clean")


def paid_booking(starts_at):
    """A two-hour 90.00 "Regular clean" of the demo customer's at `starts_at`, the demo
    fieldworker on it, paid in full by card."""
    casey = Customer.get(Customer.email == CUSTOMER)
    service = regular_clean()
    booking = Booking.create(customer=casey, service=service, starts_at=starts_at,
                             ends_at=starts_at + timedelta(hours=2), price=9000,
                             address=casey.address)
    Assignment.create(booking=booking, staff=Staff.get(Staff.email == "fieldworker@example.com"))
    invoice = open_invoice(booking, service, Settings.current())
    record_payment(invoice.id, 9000, "card", "ch_demo", Actor("admin", None, "Alex Admin"))
    return booking
