"""The customer's bookings in every state the booking page draws differently, and pages fetched
for comparing one way of rendering with another (tests/web/test_page_render_*.py)."""
from datetime import timedelta

from portal.billing.booking_refunds import request_booking_refund
from portal.billing.invoices import add_fee, open_invoice
from portal.billing.models import Refund
from portal.billing.payments import record_payment
from portal.billing.refunds import approve_refund, reject_refund
from portal.bookings.services import cancel_booking
from portal.kernel.actors import Actor
from portal.people import Customer
from portal.settings import Settings
from tests.support.account_helpers import in_app
from tests.support.factories import booking

CSRF = 'name="csrf_token" value="'


def bookings_in_every_state(world):
    """Refs of the customer's bookings in every state the page draws differently."""
    admin = Actor("admin", world.admin.id, world.admin.name)
    casey = Actor("customer", world.customer.id, world.customer.name)
    open_invoice(world.upcoming, world.service, world.settings)
    add_fee(world.upcoming, world.service, world.settings, "fee", "Parking <&>", 700)
    refs = [world.upcoming.ref, world.later.ref, world.soon.ref, world.past.ref,
            world.completed.ref, world.cancelled.ref]
    for decision in (None, approve_refund, reject_refund, "due"):
        paid = booking(world.customer, world.service, timedelta(days=20 + len(refs)), world.fw)
        record_payment(open_invoice(paid, world.service, world.settings).id, 5000, "card", "",
                       admin)
        cancel_booking(paid.ref, casey, channel="portal", settings=Settings.current(),
                       note="Away & <b>back</b>")
        refund = Refund.select().order_by(Refund.id.desc()).first()
        if decision is None and refund is None:
            request_booking_refund(paid.ref, casey, Settings.current(), channel="portal")
        elif decision in (approve_refund, reject_refund) and refund is not None:
            decision(refund.id, admin, "Not <this> time")
        refs.append(paid.ref)
    return refs


def speaks(world, language):
    with in_app():
        Customer.update(language=language).where(Customer.id == world.customer.id).execute()


def pages(client, urls):
    out = []
    for url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code in (200, 409), url  # 409: a cancelled one's step
            html = response.get_data(as_text=True)
            out.append(str(response.status_code) + html.split(CSRF)[0] + "".join(
                part.split('"', 1)[1] for part in html.split(CSRF)[1:]))  # tokens aside
    return out
