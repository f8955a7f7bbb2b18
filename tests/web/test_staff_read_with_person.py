"""The admin's booking page and a fieldworker's job page (and their steps, on GET) read the
booking in the statement that loads the logged-in staff member, as the customer's page does
(kernel.beside.Along with no match column: any booking's rows come back, and the page decides
who sees them: the admin area's gate, a fieldworker's own jobs). What the page shows is what it
showed reading alone; a fieldworker still gets a 404 for a job that is not theirs; a customer
never has a booking read with them this way.

Each request here loads the person as in production (see test_booking_read_with_person)."""
from datetime import timedelta

import pytest

from portal.accounts import sessions
from portal.billing.invoice_reads import booking_with_invoice, read_for_staff
from portal.billing.invoices import add_fee, open_invoice
from portal.bookings import queries
from portal.people import Customer, Staff
from tests.support.account_helpers import _push_request_context  # noqa: F401 (see above)
from tests.support.account_helpers import browser, in_app, log_in
from tests.support.booking_reads import page_read_shape
from tests.support.elsewhere import sql_elsewhere
from tests.support.factories import booking
from tests.support.pages import text
from tests.support.queries import count_queries

ADMIN_STEPS = ("", "/cancel", "/reschedule")
JOB_STEPS = ("", "/cancel", "/status")


def logged_in(app, email):
    client = browser(app)
    assert log_in(client, email).status_code == 302
    return client


def statements(client, url):
    with count_queries() as ran:
        response = client.get(url)
    return response, len(ran)


@pytest.mark.parametrize("who, base, steps", [("admin", "/admin/bookings", ADMIN_STEPS),
                                              ("fw", "/fieldworker/jobs", JOB_STEPS)])
def test_each_step_reads_one_statement_fewer_than_alone(app, world, who, base, steps):
    """With the person kept from an earlier request (pytest-flask's held context keeps them
    in g) the booking is a statement of its own; loaded as in production it is not. The page
    is the same either way."""
    client = logged_in(app, getattr(world, who).email)
    open_invoice(world.upcoming, world.service, world.settings)
    add_fee(world.upcoming, world.service, world.settings, "fee", "Parking", 700)
    urls = [f"{base}/{world.upcoming.ref}{step}" for step in steps]
    for url in urls:
        client.get(url)  # warm-up: what a process keeps is read once
    together = [statements(client, url) for url in urls]
    with app.test_request_context():
        client.get(urls[0])  # the person loads here and stays in this context's g
        apart = [statements(client, url) for url in urls]
    assert [a[1] - t[1] for a, t in zip(apart, together)] == [1, 1, 1]
    for (mine, _), (theirs, _) in zip(together, apart):  # (a job not begun refuses a status)
        assert mine.status_code == theirs.status_code and mine.status_code in (200, 422)
        assert mine.get_data() == theirs.get_data()
    page = text(together[0][0])
    assert world.upcoming.ref in page and page.index("Fred Worker") < page.index("Gina Helper")


def test_the_admin_page_is_the_same_for_every_kind_of_booking(app, world):
    alone = booking(world.customer, world.service, timedelta(days=8))  # no fieldworker
    client = logged_in(app, world.admin.email)
    for ref in (world.upcoming.ref, world.cancelled.ref, world.others.ref, alone.ref):
        url = f"/admin/bookings/{ref}"
        together = client.get(url).get_data()
        with app.test_request_context():
            client.get(url)
            apart = client.get(url).get_data()
        assert together == apart, ref
    assert client.get("/admin/bookings/BK-NOSUCH").status_code == 404
    assert client.get("/fieldworker/jobs/BK-NOSUCH").status_code == 404
    assert client.get(f"/fieldworker/jobs/{alone.ref}").status_code == 200  # admins see any


def detail_shape(read):
    booking, staff = read
    if booking is None:
        return read
    return (booking.__data__, booking.service.__data__, booking.customer.__data__,
            [s.__data__ for s in staff])


def test_the_statement_reads_what_the_pages_read_alone(app, world):
    alone = booking(world.customer, world.service, timedelta(days=8))
    with in_app():
        key = sessions.start(Staff.get_by_id(world.admin.id)).session_key
        for _ in range(2):  # the first read goes through peewee, the next through kept readers
            for ref in (world.upcoming.ref, world.cancelled.ref, alone.ref, "BK-NOSUCH"):
                person = sessions.resume(key, along=read_for_staff(ref))
                assert person.id == world.admin.id and person.read_settings.id
                assert page_read_shape(booking_with_invoice(
                    ref, None, world.settings, rows=person.read_along)) == page_read_shape(
                    booking_with_invoice(ref, None, world.settings)), ref
                person = sessions.resume(key, along=queries.read_for_staff(ref))
                assert detail_shape(queries.booking_detail(ref, rows=person.read_along)) \
                    == detail_shape(queries.booking_detail(ref)), ref


def test_a_fieldworker_gets_only_their_own_jobs(app, world):
    gina = logged_in(app, world.fw2.email)  # assigned to world.upcoming alone
    assert gina.get(f"/fieldworker/jobs/{world.upcoming.ref}").status_code == 200
    for step in JOB_STEPS:
        response = gina.get(f"/fieldworker/jobs/{world.later.ref}{step}")
        assert response.status_code == 404 and world.later.ref not in text(response)
    response = gina.get(f"/admin/bookings/{world.upcoming.ref}")  # read, then the gate: 403
    assert response.status_code == 403 and "Casey Customer" not in text(response)


def test_a_customer_session_never_reads_a_booking_this_way(app, world):
    with in_app():
        key = sessions.start(Customer.get_by_id(world.customer.id)).session_key
        person = sessions.resume(key, along=read_for_staff(world.upcoming.ref))
        assert person.kind == "customer" and person.read_along is None
    casey = logged_in(app, world.customer.email)
    for url in (f"/admin/bookings/{world.upcoming.ref}",
                f"/fieldworker/jobs/{world.upcoming.ref}"):
        assert casey.get(url).status_code == 403


def test_a_change_made_elsewhere_shows_on_the_next_request(app, world):
    fred = logged_in(app, world.fw.email)
    admin = logged_in(app, world.admin.email)
    job, page = f"/fieldworker/jobs/{world.upcoming.ref}", f"/admin/bookings/{world.upcoming.ref}"
    assert "Gina Helper" in text(fred.get(job)) and "Gina Helper" in text(admin.get(page))
    sql_elsewhere(app.config["DATABASE_URL"],
                  f"DELETE FROM assignment WHERE booking_id = {world.upcoming.id} "
                  f"AND staff_id = {world.fw2.id}",
                  f"UPDATE booking SET address = '7 Birch Lane' WHERE id = {world.upcoming.id}")
    for client, url in ((fred, job), (admin, page)):
        shown = text(client.get(url))
        assert "Gina Helper" not in shown and "7 Birch Lane" in shown
    sql_elsewhere(app.config["DATABASE_URL"],
                  f"DELETE FROM assignment WHERE booking_id = {world.upcoming.id}")
    assert fred.get(job).status_code == 404  # no longer his job


def test_a_session_ended_elsewhere_ends_on_the_admin_page(app, world):
    admin = logged_in(app, world.admin.email)
    url = f"/admin/bookings/{world.upcoming.ref}"
    assert admin.get(url).status_code == 200
    sql_elsewhere(app.config["DATABASE_URL"],
                  f"UPDATE staff SET session_epoch = session_epoch + 1 WHERE id = {world.admin.id}")
    response = admin.get(url)
    assert response.status_code == 302 and "Casey Customer" not in text(response)
