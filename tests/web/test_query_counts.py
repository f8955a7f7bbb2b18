"""Pages fetch what they need up front: the number of queries does not grow with the data."""
from datetime import timedelta

from portal.kernel.timefmt import to_local
from tests.support.factories import booking
from tests.support.queries import queries_for


def test_customer_pages_use_constant_queries(customer_client, world):
    urls = ["/bookings", "/bookings?show=all", f"/bookings/{world.upcoming.ref}",
            f"/bookings/{world.upcoming.ref}/cancel"]
    before = {url: queries_for(customer_client, url) for url in urls}
    for days in range(1, 40):
        booking(world.customer, world.service, timedelta(days=days, hours=1), world.fw)
        booking(world.customer, world.service, -timedelta(days=days), world.fw2,
                status="completed")
    after = {url: queries_for(customer_client, url) for url in urls}
    assert before == after
    assert max(after.values()) <= 5, after


def test_admin_all_bookings_uses_constant_queries(client, world):
    """The same statements with the world's 7 bookings and with 10,000 more, for every filter."""
    from portal.bookings.models import Service
    from tests.support.bulk import bulk_bookings, bulk_customers
    from tests.support.forms import login

    login(client, world.admin.email)
    deep = Service.create(name="Deep clean", duration_minutes=240, price=20000)
    urls = ["/admin/bookings", "/admin/bookings?view=upcoming", "/admin/bookings?view=cancelled",
            f"/admin/bookings?q=customer&fieldworker={world.fw.id}&page=2",
            f"/admin/bookings?service={deep.id}&from=2026-01-01&to=2036-12-31&sort=asc",
            "/admin/bookings?view=past&page=40"]
    before = {url: queries_for(client, url) for url in urls}
    customers = bulk_customers(200)
    bulk_bookings(10_000, customers, [world.service.id, deep.id], [world.fw.id, world.fw2.id],
                  statuses=("scheduled",) * 8 + ("cancelled", "no_show"))
    after = {url: queries_for(client, url) for url in urls}
    assert before == after
    assert max(after.values()) <= 8, after


def test_reschedule_and_booking_pickers_use_constant_queries(customer_client, world):
    """The pickers read availability in a fixed number of queries, however busy the day."""
    day = to_local(world.upcoming.starts_at + timedelta(days=2),
                   world.settings.timezone).date().isoformat()
    urls = [f"/bookings/{world.upcoming.ref}/reschedule?date={day}", f"/book?date={day}"]
    before = {url: queries_for(customer_client, url) for url in urls}
    for hour in range(30):
        booking(world.other, world.service, timedelta(days=2, hours=hour), world.fw)
        booking(world.other, world.service, timedelta(days=2, hours=hour, minutes=30),
                world.fw2)
    after = {url: queries_for(customer_client, url) for url in urls}
    assert before == after
    assert max(after.values()) <= 10, after


def test_admin_today_uses_constant_queries(admin_client, world):
    """The day, the week and one fieldworker's day: the same statements with 2 or 60 more
    bookings in them and 40 more jobs waiting to be closed. Each view lists a job already (the
    day is that job's own day in the business's timezone, whatever the hour the test runs), so
    the counts compare a few rows with many, not an empty page with a full one."""
    first = booking(world.other, world.service, timedelta(days=3), world.fw2)
    day = to_local(first.starts_at, world.settings.timezone).date().isoformat()
    urls = [f"/admin/today?day={day}", f"/admin/today?day={day}&span=week",
            f"/admin/today?day={day}&fieldworker={world.fw2.id}"]
    before = {url: queries_for(admin_client, url) for url in urls}
    for minutes in range(0, 60 * 30, 30):
        booking(world.other, world.service, timedelta(days=3, minutes=minutes),
                world.fw2 if minutes % 60 else world.fw)
    for days in range(2, 42):
        booking(world.customer, world.service, -timedelta(days=days), world.fw2)
    after = {url: queries_for(admin_client, url) for url in urls}
    assert before == after
    # Four reads of its own (the span, the jobs to close, their fieldworkers, the filter's
    # fieldworkers), and here two more: the settings and the unread badge. pytest-flask keeps a
    # request context pushed for the whole test, so `g` outlives each request and the admin
    # loaded at login stays loaded; in a real request one statement reads the admin, the
    # settings and the unread count together (5 in all).
    assert max(after.values()) <= 6, after
