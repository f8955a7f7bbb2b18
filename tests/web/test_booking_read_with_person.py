"""The customer's booking page (and its cancel and reschedule steps, on GET) reads the booking
in the statement that loads the logged-in customer (accounts.sessions.resume with a
kernel.beside.Along; web/app/current.read_with_person): one statement for the session, the
person, the settings row and the booking. What it reads is what the page read alone; nobody
else's booking comes back; a session that ended still ends; nothing is kept between requests.

Each request here loads the person as in production (pytest-flask's context held open for the
whole test would keep them in `g` after the first request)."""
from datetime import timedelta

import pytest

from portal.accounts import sessions
from portal.billing.invoice_reads import booking_with_invoice, read_with_customer
from portal.billing.invoices import add_fee, open_invoice
from portal.billing.payments import record_payment
from portal.bookings.services import cancel_booking
from portal.kernel.actors import Actor
from portal.people import Customer
from tests.support.account_helpers import _push_request_context  # noqa: F401 (see above)
from tests.support.account_helpers import browser, in_app, log_in
from tests.support.booking_reads import page_read_shape
from tests.support.elsewhere import sql_elsewhere
from tests.support.factories import booking
from tests.support.forms import csrf_from
from tests.support.pages import text
from tests.support.queries import count_queries


@pytest.fixture
def casey(app, world):
    client = browser(app)
    assert log_in(client, world.customer.email).status_code == 302
    return client


def statements(client, url, **kwargs):
    with count_queries() as ran:
        response = client.get(url, **kwargs)
    return response, len(ran)


def test_the_page_is_one_statement_and_shows_the_booking(casey, world):
    open_invoice(world.upcoming, world.service, world.settings)
    add_fee(world.upcoming, world.service, world.settings, "fee", "Parking", 700)
    url = f"/bookings/{world.upcoming.ref}"
    casey.get(url)
    response, ran = statements(casey, url)
    assert response.status_code == 200 and ran == 1
    page = text(response)
    assert world.upcoming.ref in page and "Parking" in page
    assert page.index("Fred Worker") < page.index("Gina Helper")  # fieldworkers by name
    for step in ("cancel", "reschedule"):  # their GET reads the booking with the person too
        response, ran = statements(casey, f"{url}/{step}")
        assert response.status_code == 200 and world.upcoming.ref in text(response)


def test_the_steps_read_one_statement_fewer_than_alone(app, casey, world):
    """The same steps with the person kept from an earlier request (as pytest-flask's held
    context keeps them): the settings row and the booking are then two statements."""
    urls = [f"/bookings/{world.upcoming.ref}{step}" for step in ("", "/cancel", "/reschedule")]
    for url in urls:
        casey.get(url)  # warm-up: what a process keeps (the fee tiers) is read once
    together = [statements(casey, url)[1] for url in urls]
    with app.test_request_context():
        casey.get(urls[0])  # the person loads here and stays in this context's g
        apart = [statements(casey, url)[1] for url in urls]
    assert [a - t for a, t in zip(apart, together)] == [1, 1, 1]


def test_read_with_the_person_or_alone_the_page_is_the_same(app, casey, world):
    admin = Actor("admin", world.admin.id, world.admin.name)
    paid = booking(world.customer, world.service, timedelta(days=9), world.fw)
    record_payment(open_invoice(paid, world.service, world.settings).id, 5000, "card", "", admin)
    cancel_booking(paid.ref, Actor("customer", world.customer.id, world.customer.name),
                   channel="portal", settings=world.settings)  # a credit and a refund asked for
    alone = booking(world.customer, world.service, timedelta(days=8))  # no fieldworker
    for ref in (world.upcoming.ref, world.cancelled.ref, paid.ref, alone.ref):
        url = f"/bookings/{ref}"
        together = casey.get(url).get_data(as_text=True)
        with app.test_request_context():
            casey.get(url)
            apart = casey.get(url).get_data(as_text=True)
        assert together == apart, ref


def test_the_statement_reads_what_the_page_read_alone(app, world):
    """At the read itself: for each kind of booking, the rows read with the person give the
    booking, fieldworkers and invoice the page's own statement gives."""
    admin = Actor("admin", world.admin.id, world.admin.name)
    open_invoice(world.upcoming, world.service, world.settings)
    add_fee(world.upcoming, world.service, world.settings, "fee", "Keys", 300)
    paid = booking(world.customer, world.service, timedelta(days=9), world.fw)
    record_payment(open_invoice(paid, world.service, world.settings).id, 5000, "card", "", admin)
    alone = booking(world.customer, world.service, timedelta(days=8))
    with in_app():
        key = sessions.start(Customer.get_by_id(world.customer.id)).session_key
        for _ in range(2):  # the first read goes through peewee, the next through kept readers
            for ref in (world.upcoming.ref, world.later.ref, world.cancelled.ref, paid.ref,
                        alone.ref, world.others.ref, "BK-NOSUCH"):
                person = sessions.resume(key, along=read_with_customer(ref))
                assert person.id == world.customer.id and person.read_settings.id
                together = booking_with_invoice(ref, person.id, world.settings,
                                                rows=person.read_along)
                assert page_read_shape(together) == page_read_shape(
                    booking_with_invoice(ref, person.id, world.settings)), ref
        # Someone else's booking: the person is found, the booking is not.
        assert sessions.resume(key, along=read_with_customer(world.others.ref)).read_along == []


def test_a_staff_session_never_reads_a_customer_booking_with_it(app, world):
    """The read is for customers' sessions: a staff member whose id is a customer's id must
    not get that customer's booking (the match is by id)."""
    with in_app():
        admin = sessions.start(world.admin)
        owner = Customer.get_by_id(world.admin.id)  # the customer with the admin's id
        ref = booking(owner, world.service, timedelta(days=6)).ref
        person = sessions.resume(admin.session_key, along=read_with_customer(ref))
    assert person.kind != "customer" and person.read_along is None


def test_another_customers_booking_is_not_found_and_the_customer_stays_logged_in(casey, world):
    assert casey.get(f"/bookings/{world.others.ref}").status_code == 404
    assert casey.get("/bookings/BK-NOSUCH/cancel").status_code == 404
    assert casey.get(f"/bookings/{world.upcoming.ref}").status_code == 200


def test_a_session_ended_elsewhere_ends_on_the_booking_page(app, casey, world):
    url = f"/bookings/{world.upcoming.ref}"
    assert casey.get(url).status_code == 200
    # A new password set in another process bumps the epoch: this session ends at once.
    sql_elsewhere(app.config["DATABASE_URL"],
                  f"UPDATE customer SET session_epoch = session_epoch + 1 "
                  f"WHERE id = {world.customer.id}")
    response = casey.get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "Fred Worker" not in response.get_data(as_text=True)


@pytest.mark.parametrize("idle, alive", [(timedelta(minutes=59), True),
                                         (timedelta(minutes=60), False)])
def test_the_idle_timeout_holds_on_the_booking_page(casey, world, idle, alive):
    row = sessions.LoginSession.get(sessions.LoginSession.customer == world.customer.id)
    (sessions.LoginSession.update(last_seen_at=row.last_seen_at - idle)
     .where(sessions.LoginSession.id == row.id).execute())
    response = casey.get(f"/bookings/{world.upcoming.ref}")
    assert (response.status_code == 200) is alive
    assert (sessions.LoginSession.select().count() == 1) is alive  # an expired row is gone


def test_a_copied_cookie_stops_at_logout_on_the_booking_page(app, casey, world):
    thief = browser(app, "10.9.9.9")
    thief.set_cookie("session", casey.get_cookie("session").value, domain="localhost")
    url = f"/bookings/{world.upcoming.ref}"
    assert thief.get(url).status_code == 200
    html = casey.get(url).get_data(as_text=True)
    assert casey.post("/logout", data={"csrf_token": csrf_from(html)}).status_code == 302
    assert thief.get(url).status_code == 302


def test_a_change_made_elsewhere_shows_on_the_next_request(app, casey, world):
    url = f"/bookings/{world.upcoming.ref}"
    assert "Gina Helper" in text(casey.get(url))
    sql_elsewhere(app.config["DATABASE_URL"],
                  f"DELETE FROM assignment WHERE booking_id = {world.upcoming.id} "
                  f"AND staff_id = {world.fw2.id}",
                  f"UPDATE booking SET address = '7 Birch Lane' WHERE id = {world.upcoming.id}")
    page = text(casey.get(url))
    assert "Gina Helper" not in page and "7 Birch Lane" in page


def test_a_post_reads_the_booking_in_a_statement_of_its_own(casey, world):
    """Only GET and HEAD read the booking with the person: a POST's reads may come after its
    change. A cancel refused by its form shows the step again from its own read."""
    url = f"/bookings/{world.upcoming.ref}/cancel"
    html = casey.get(url).get_data(as_text=True)
    with count_queries() as ran:
        response = casey.post(url, data={"csrf_token": csrf_from(html), "version": "x"})
    assert response.status_code == 422 and world.upcoming.ref in text(response)
    first, *rest = map(str, ran)  # (SQL, values): the ref is a value of the booking's read
    ref = world.upcoming.ref
    assert ref not in first and any(ref in statement for statement in rest)
    with count_queries() as ran:
        assert casey.head(f"/bookings/{world.upcoming.ref}").status_code == 200
    assert len(ran) == 1
