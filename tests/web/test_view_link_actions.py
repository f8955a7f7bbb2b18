"""The signed "View booking" page offers the Reschedule and Cancel the policy allows its customer
now, as links to those steps' own signed pages (the emails' cancel and reschedule links), so
the confirm step, its rules and its refusals are the ones those links already have."""
import html as html_lib
import re
from datetime import timedelta

import pytest

from portal.billing.invoices import open_invoice
from portal.billing.models import Refund
from portal.billing.payments import record_payment
from portal.bookings.links import make_token, read_token
from portal.bookings.models import Booking
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.settings import Settings
from tests.support.cancelling import effects, unchanged
from tests.support.factories import booking
from tests.support.forms import csrf_from


def view(app, b, **kw):
    return f"/l/{make_token(app.config['SECRET_KEY'], 'view', b, **kw)}"


def words(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_lib.unescape(html)))


def action_links(html):
    """{label: href} of the page's action buttons that are links."""
    return {label.strip(): html_lib.unescape(href) for href, label in re.findall(
        r'<a role="button"[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', html)}


def test_the_view_page_offers_cancel_and_reschedule_as_their_signed_steps(app, client, world):
    html = client.get(view(app, world.upcoming)).get_data(as_text=True)
    links = action_links(html)
    assert set(links) >= {"Reschedule", "Cancel booking"}
    secret, now = app.config["SECRET_KEY"], utcnow()
    cancel_token = re.fullmatch(r"/l/([^/]+)/cancel", links["Cancel booking"])[1]
    move_token = re.fullmatch(r"/l/([^/]+)/reschedule", links["Reschedule"])[1]
    # Each names this booking and its customer, signed for its own purpose only.
    assert read_token(secret, "cancel", cancel_token, now) == (world.upcoming.id,
                                                                world.customer.id)
    assert read_token(secret, "reschedule", move_token, now) == (world.upcoming.id,
                                                                  world.customer.id)
    assert client.get(links["Reschedule"]).status_code == 200
    assert effects(world.upcoming) == unchanged(world.upcoming)  # looking changes nothing


def test_cancel_from_the_view_page_goes_through_the_confirm_step(app, client, world):
    url = view(app, world.upcoming)
    step = client.get(action_links(client.get(url).get_data(as_text=True))["Cancel booking"])
    page = step.get_data(as_text=True)
    assert step.status_code == 200 and "This action cannot be undone." in page
    form_url = html_lib.unescape(re.search(r'<form method="post" action="([^"]+)"', page)[1])
    response = client.post(form_url, data={"csrf_token": csrf_from(page),
                                           "version": world.upcoming.version})
    assert response.status_code == 302
    cancelled = Booking.get_by_id(world.upcoming.id)
    assert (cancelled.status, cancelled.cancel_channel) == ("cancelled", "email_link")
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cancelled" in shown and "Cancel booking" not in shown and "Reschedule" not in shown


def test_what_the_policy_refuses_is_shown_disabled_with_the_reason(app, client, world):
    Settings.update(cancel_notice_hours=24, customers_may_reschedule=False).execute()
    html = client.get(view(app, world.soon)).get_data(as_text=True)  # five hours away
    assert action_links(html).keys().isdisjoint({"Reschedule", "Cancel booking"})
    assert "Cancelling online closes 24 hours before the appointment." in words(html)
    assert "Reschedule" not in html  # switched off for customers: not offered at all


def test_a_paid_booking_shows_its_invoice_and_the_refund_before_cancelling(app, client, world):
    b = booking(world.customer, world.service, timedelta(days=3), world.fw)
    invoice = open_invoice(b, world.service, world.settings)
    record_payment(invoice.id, 9000, "card", "ch_1", Actor("admin", world.admin.id, "Ada"))
    html = client.get(view(app, b)).get_data(as_text=True)
    assert "You paid $90.00" in words(html)
    step = client.get(action_links(html)["Cancel booking"]).get_data(as_text=True)
    assert "$90.00 will be refunded to you" in words(step)
    form_url = html_lib.unescape(re.search(r'<form method="post" action="([^"]+)"', step)[1])
    client.post(form_url, data={"csrf_token": csrf_from(step), "version": b.version})
    [refund] = Refund.select()
    assert (refund.amount, refund.requested_by_kind) == (9000, "customer")


@pytest.mark.parametrize("case", ["tampered", "expired"])
def test_a_bad_view_link_still_refuses_clearly_and_offers_nothing(app, client, world, case):
    good = view(app, world.upcoming)
    url = {"tampered": good[:-3] + "abc",
           "expired": view(app, world.upcoming, expires_at=utcnow() - timedelta(minutes=1))}[case]
    response = client.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == (404 if case == "tampered" else 410)
    assert "This link is no longer valid" in html and "Cancel booking" not in html
