"""Every page runs the same statements at demo size and at size, and a cancel POST stays small.

"At size" is 2,000 bookings (half of them one customer's and one fieldworker's), 100 more
customers, 2,000 audit events, 80 notices and 250 emails, bulk-inserted. That is past every
list's page or window (20 on My bookings and My jobs, 25 on the admin lists, 50 notices,
200 emails) and past what a list counts (COUNT_AHEAD, 1,000 rows: beyond it "1,000+"), so each
page at size already takes the path it takes at 100,000 bookings: a full window and a capped
count. What a page reads from there on is its page, never the table, so the statements are the
same and so is their number.

Each request loads the logged-in person as in production (pytest-flask's context held open for
the whole test would keep them in `g` after the first): that statement reads the settings row
too, and the customer's booking page and its steps read the booking in it as well.
"""
from datetime import timedelta

import pytest
from peewee import PostgresqlDatabase

from portal.audit import AuditEvent
from portal.bookings.queries import WINDOW
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.kernel.db import database
from portal.kernel.listing import COUNT_AHEAD
from portal.messaging.models import Notification, OutboxMessage
from tests.support.account_helpers import _push_request_context  # noqa: F401 (see above)
from tests.support.bulk import CHUNK, bulk_bookings, bulk_customers
from tests.support.factories import booking
from tests.support.forms import csrf_from, login, logout
from tests.support.queries import count_queries
from tests.support.webhook_receiver import integration

HX = {"HX-Request": "true"}
BOOKINGS = 2_000


# Each page with the most statements it may run (today's count): a page that starts reading
# per row, or grows a query, fails here at either size.
def customer_pages(world):
    ref = world.upcoming.ref
    return {"/bookings": 2, "/bookings?show=past": 2, "/bookings?show=all": 2,
            "/bookings?show=cancelled": 2, "/bookings?page=2": 2, "/bookings?show=past&page=3": 2,
            f"/bookings/{ref}": 1, f"/bookings/{ref}/cancel": 2,
            f"/bookings/{world.cancelled.ref}": 1, "/orders": 2, "/account": 1,
            "/account/waitlist": 3}


# Staff pages count their unread notices in the statement that loads the staff member
# (accounts.sessions), one statement fewer than before on every one of them.
def admin_pages(world):
    return {"/admin/bookings": 6, "/admin/bookings?view=upcoming": 6,
            "/admin/bookings?page=2": 6, "/admin/bookings?view=past&page=30": 6,
            "/admin/bookings?q=customer": 6, f"/admin/bookings?fieldworker={world.fw.id}": 6,
            f"/admin/bookings/{world.upcoming.ref}": 2, "/admin/customers": 3,
            "/admin/customers?q=customer&page=2": 3, f"/admin/customers/{world.customer.id}": 10,
            "/admin/orders": 3, "/admin/orders/new": 2,
            f"/admin/orders/new?customer={world.customer.id}&q=customer": 4,
            "/admin/refunds": 4, "/admin/activity": 5,
            "/admin/activity?page=3": 5, "/admin/emails": 2, "/admin/staff": 2,
            "/admin/push-log": 2,
            "/admin/services": 4, "/admin/integrations": 3, "/admin/reports/cancellations": 13,
            "/admin/waitlist": 3}


def fieldworker_pages(world):
    # Page one also lists the jobs still to close (one more statement); later pages don't.
    return {"/fieldworker/jobs": 3, "/fieldworker/jobs?page=2": 2,
            f"/fieldworker/jobs/{world.upcoming.ref}": 1,
            "/fieldworker/notifications": 4}  # + this person's push devices, the push key


def grow(world):
    """The 'at size' data of the module docstring; world's customer and fieldworker fill
    their lists several windows over."""
    bulk = bulk_customers(100)
    mine = [world.customer.id if i % 2 == 0 else bulk[i // 2] for i in range(200)]
    bulk_bookings(BOOKINGS, mine, [world.service.id], [world.fw.id, world.fw2.id],
                  statuses=("scheduled",) * 6 + ("cancelled", "completed"))
    now = utcnow()
    with database.atomic():
        for model, rows in (
                (AuditEvent, [{"subject_type": "booking", "subject_id": world.upcoming.id,
                               "action": "rescheduled", "actor_kind": "admin",
                               "actor_id": world.admin.id, "channel": "admin",
                               "created_at": now - timedelta(minutes=i)}
                              for i in range(2_000)]),
                (Notification, [{"staff": world.fw.id, "booking": world.upcoming.id,
                                 "kind": "booking_cancelled", "message": f"Notice {i}"}
                                for i in range(80)]),
                (OutboxMessage, [{"dedupe_key": f"bulk:{i}", "to_address": "c@example.com",
                                  "subject": f"Bulk {i}", "body_text": "Hello"}
                                 for i in range(250)])):
            for start in range(0, len(rows), CHUNK):
                model.insert_many(rows[start:start + CHUNK]).execute()


def counts(client, email, urls):
    """{url: statements} for each page, logged in as `email` (a warm-up request first)."""
    login(client, email)
    seen = {}
    for url in urls:
        client.get(url)
        with count_queries() as ran:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        seen[url] = len(ran)
    logout(client)
    return seen


def every_page(client, world):
    return {**counts(client, world.customer.email, customer_pages(world)),
            **counts(client, world.admin.email, admin_pages(world)),
            **counts(client, world.fw.email, fieldworker_pages(world))}


def test_every_page_runs_the_same_statements_at_demo_size_and_at_size(client, world):
    before = every_page(client, world)
    grow(world)
    after = every_page(client, world)
    assert after == before
    ceilings = {**customer_pages(world), **admin_pages(world), **fieldworker_pages(world)}
    assert {url: n for url, n in after.items() if n > ceilings[url]} == {}


def test_at_size_the_lists_show_a_window_and_a_capped_count(client, world):
    """What makes the size above 'at size': every list is full and the count is capped."""
    grow(world)
    login(client, world.customer.email)
    html = client.get("/bookings").get_data(as_text=True)
    assert html.count('class="booking-row"') == WINDOW and "Later →" in html
    logout(client)
    login(client, world.admin.email)
    html = client.get("/admin/bookings").get_data(as_text=True)
    assert f"Showing 1–25 of {COUNT_AHEAD:,}+" in html
    assert f"Showing 1–25 of {COUNT_AHEAD:,}+" in client.get(
        "/admin/activity").get_data(as_text=True)
    logout(client)
    login(client, world.fw.email)
    html = client.get("/fieldworker/jobs").get_data(as_text=True)
    upcoming = html[html.index('id="upcoming-jobs"'):]  # the jobs to close come first, capped too
    assert html.count('class="booking-row"') == 2 * WINDOW and "Needs closing" in html
    assert upcoming.count('class="booking-row"') == WINDOW and "Later →" in upcoming


def cancel_statements(client, world, booking, headers):
    page = client.get(f"/bookings/{booking.ref}/cancel").get_data(as_text=True)
    with count_queries() as ran:
        response = client.post(f"/bookings/{booking.ref}/cancel", headers=headers,
                               data={"csrf_token": csrf_from(page), "version": booking.version})
    assert response.status_code == (200 if headers else 302)
    return len(ran)


def warm_cancel(client, world):
    """One cancellation, not counted: the first after the fee tiers or the integrations change
    reads them (two statements) and keeps them for the next (portal/settings/kept.py)."""
    cancel_statements(client, world, booking(world.customer, world.service,
                                             timedelta(days=12), world.fw), {})


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_a_customer_cancel_post_is_a_few_statements_at_any_size(customer_client, world,
                                                                headers):
    warm_cancel(customer_client, world)
    small = cancel_statements(customer_client, world, world.later, headers)
    grow(world)  # then the same kind of booking: 10 days ahead, one fieldworker
    same = booking(world.customer, world.service, timedelta(days=10, hours=1), world.fw)
    assert cancel_statements(customer_client, world, same, headers) == small
    assert small <= CANCEL_CEILING[bool(headers)], small


def test_a_webhook_subscriber_adds_only_its_own_statements(customer_client, world):
    """The booking.cancelled webhook is built from the rows the cancel holds: only the
    delivery row is written, nothing is read again."""
    integration(Actor("admin", world.admin.id, world.admin.name), "http://127.0.0.1:9/hook")
    warm_cancel(customer_client, world)
    assert cancel_statements(customer_client, world, world.later, {}) == CANCEL_CEILING[False] + 1


def test_customers_waiting_for_other_days_cost_a_cancel_nothing(customer_client, world):
    """Whether anyone waits for the days a cancellation frees is asked in the statement that
    reads the booking's staff: customers waiting for other days add no statement."""
    from portal.bookings.waitlist import join
    warm_cancel(customer_client, world)
    nobody = cancel_statements(customer_client, world, world.later, {})
    day = (utcnow() + timedelta(days=20)).date()
    join(world.other.id, world.service.id, day, day + timedelta(days=3), "any")
    same = booking(world.customer, world.service, timedelta(days=10, hours=1), world.fw)
    assert cancel_statements(customer_client, world, same, {}) == nobody
    assert nobody <= CANCEL_CEILING[False]


def test_a_customer_waiting_for_the_time_freed_is_offered_it_in_pinned_statements(
        customer_client, world):
    """Someone waits for the very time a cancellation frees: the cancellation reads their
    entry, finds the time free and offers it by email: CANCEL_WITH_OFFER statements."""
    from portal.bookings.waitlist_models import WaitlistOffer
    from tests.support.waitlist import booked_time, only_one_fieldworker, waiting_customers
    only_one_fieldworker(world)
    time = booked_time(world, customer=world.customer)
    waiting_customers(world, time.day, count=1)
    warm_cancel(customer_client, world)
    assert cancel_statements(customer_client, world, time.booking, {}) == CANCEL_WITH_OFFER
    assert WaitlistOffer.select().where(WaitlistOffer.starts_at == time.starts_at).count() == 1


# Plain: settings (with the person); the booking locked with its service, customer and
# invoice; then, the lock held, its staff with the invoice's lines, whether anything was paid
# or refunded and whether anyone waits for the days it frees (bookings/cancel_reads.py); the update
# (the row is moved along in memory, not read back); the slot claim; the invoice and its lines
# in one insert each; audit; notices; the emails in one insert. The fee tiers and the webhook
# subscribers are kept per process under the settings row's stamp (settings/kept.py). htmx
# runs the same: the card's booking, staff and invoice come from the cancel (the invoice from
# every line read under the lock and the lines it added, nothing paid or refunded). Was 24 and
# 33 (the booking read 4 times, settings and staff 3, the outbox checked before each insert),
# then 14 and 20, then 12 and 16, then 13 and 14 (the waitlist asked in a statement of its
# own), then 10 and 11 (the card read its invoice).
CANCEL_CEILING = {False: 10, True: 10}
# A cancellation whose time goes to someone waiting: their entry and the offers of that time
# already made, the service, the free slots (its staff, working hours, blocked time, bookings:
# bookings/availability.py), the offer, its customer and its email.
CANCEL_WITH_OFFER = 20


# --- Money on the customer's pages -----------------------------------------------------------

def money_pages(app, world):
    """A paid visit, a paid visit cancelled (its refund asked for), a paid order cancelled, and
    the view link of the paid visit: the invoice reads that paying adds (payments, refunds)."""
    from portal.billing.invoices import open_invoice
    from portal.billing.payments import record_payment
    from portal.bookings.links import make_token
    from portal.bookings.services import cancel_booking
    from portal.orders.models import Product
    from portal.orders.services import cancel_order, place_order
    admin = Actor("admin", world.admin.id, world.admin.name)
    casey = Actor("customer", world.customer.id, world.customer.name)
    paid, gone = (booking(world.customer, world.service, timedelta(days=days), world.fw)
                  for days in (5, 6))
    for b in (paid, gone):
        record_payment(open_invoice(b, world.service, world.settings).id, 5000, "card", "",
                       admin)
    cancel_booking(gone.ref, casey, channel="portal", settings=world.settings)
    order = place_order(world.customer.id, [(Product.create(name="Soap", price=500,
                                                           stock=5).id, 2)], casey)
    record_payment(order.invoice_id, 1000, "card", "", admin)
    cancel_order(order.ref, casey, channel="portal")
    view = f"/l/{make_token(app.config['SECRET_KEY'], 'view', paid)}"
    # A link page's rate-limit hit (kernel/ratelimit.py) is two statements more on PostgreSQL.
    on_postgres = isinstance(database.obj, PostgresqlDatabase)
    return {f"/bookings/{paid.ref}": 2, f"/bookings/{paid.ref}/cancel": 3,
            f"/bookings/{gone.ref}": 3, f"/orders/{order.ref}": 7,
            view: 9 if on_postgres else 7}


def test_the_money_on_customer_pages_runs_the_same_statements_at_size(app, client, world):
    with app.test_request_context():
        pages = money_pages(app, world)
    before = counts(client, world.customer.email, pages)
    grow(world)
    assert counts(client, world.customer.email, pages) == before
    assert before == pages


def test_a_paid_cancel_adds_only_the_refund_request(customer_client, world):
    """An invoiced visit costs one statement fewer than one without (its service lines and
    payments are read with its staff; no invoice to write); a paid one also reads its invoice
    under lock and writes the refund with its audit event."""
    from portal.billing.invoices import open_invoice
    from portal.billing.payments import record_payment
    warm_cancel(customer_client, world)
    bare = cancel_statements(customer_client, world, world.later, {})
    invoiced, paid = (booking(world.customer, world.service, timedelta(days=10, hours=h),
                              world.fw) for h in (1, 2))
    open_invoice(invoiced, world.service, world.settings)
    record_payment(open_invoice(paid, world.service, world.settings).id, 9000, "card", "",
                   Actor("admin", world.admin.id, world.admin.name))
    assert cancel_statements(customer_client, world, invoiced, {}) == bare - 1
    assert cancel_statements(customer_client, world, paid, {}) == bare + PAID_CANCEL_EXTRA


# The invoice locked; its lines, payments and refunds; then request_refund
# in its savepoint (two statements): the invoice locked again, paid and asked for summed, the
# refund and its audit event. Only a cancellation with money paid runs these.
PAID_CANCEL_EXTRA = 10
