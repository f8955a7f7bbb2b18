"""Lists that grow with the data show a run at a time: My bookings and My jobs 20 rows with
Sooner/Later links, the admin lists a count that stops 1,000 rows past the page ("1,000+")."""
import re
from datetime import timedelta

from portal.bookings.queries import WINDOW
from portal.kernel.listing import COUNT_AHEAD
from tests.support.bulk import bulk_bookings, bulk_customers
from tests.support.factories import booking
from tests.support.forms import login

HX = {"HX-Request": "true"}
ROW = re.compile(r'href="/(?:bookings|fieldworker/jobs)/(BK-[A-Z0-9]+)" class="booking-row"')


def refs(html):
    return ROW.findall(html)


def links(html):
    """{label: href} of the links under the list."""
    nav = html.split('class="pagination"', 1)[1].split("</nav>", 1)[0]
    return {label: href.replace("&amp;", "&")
            for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)}


def test_my_bookings_shows_twenty_at_a_time_soonest_first(customer_client, world):
    made = [booking(world.customer, world.service, timedelta(days=20 + d, hours=1), world.fw)
            for d in range(40)]
    upcoming = [b.ref for b in sorted([world.soon, world.upcoming, world.later, *made],
                                      key=lambda b: b.starts_at)]  # 43
    first = customer_client.get("/bookings").get_data(as_text=True)
    assert refs(first) == upcoming[:WINDOW]
    assert links(first) == {"Later →": "/bookings?show=upcoming&page=2"}
    assert '<span aria-disabled="true">← Sooner</span>' in first
    third = customer_client.get("/bookings?show=upcoming&page=3").get_data(as_text=True)
    assert refs(third) == upcoming[2 * WINDOW:]
    assert links(third) == {"← Sooner": "/bookings?show=upcoming&page=2"}
    beyond = customer_client.get("/bookings?page=9").get_data(as_text=True)
    assert refs(beyond) == [] and "No more upcoming bookings." in beyond
    assert 'href="/bookings?show=upcoming">Back to the first page' in beyond
    assert refs(customer_client.get("/bookings?page=x2").get_data(as_text=True)) == \
        upcoming[:WINDOW]


def test_past_bookings_page_newest_first_and_htmx_swaps_the_list(customer_client, world):
    for d in range(30):
        booking(world.customer, world.service, -timedelta(days=10 + d), world.fw,
                status="completed")
    page = customer_client.get("/bookings?show=past", headers=HX)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and html.lstrip().startswith('<section id="booking-list">')
    assert len(refs(html)) == WINDOW
    assert links(html) == {"Older →": "/bookings?show=past&page=2"}
    assert 'hx-get="/bookings?show=past&amp;page=2" hx-target="#booking-list"' in html
    second = customer_client.get("/bookings?show=past&page=2").get_data(as_text=True)
    shown = refs(html) + refs(second)
    # 30 made + world's past and completed; its cancelled visit is still to come, so not past
    assert len(shown) == len(set(shown)) == 32
    assert links(second) == {"← Newer": "/bookings?show=past"}


def test_my_jobs_show_twenty_at_a_time(client, world):
    for d in range(30):
        booking(world.other, world.service, timedelta(days=20 + d, hours=2), world.fw2)
    login(client, world.fw2.email)
    first = client.get("/fieldworker/jobs").get_data(as_text=True)
    assert len(refs(first)) == WINDOW and world.upcoming.ref == refs(first)[0]
    assert links(first) == {"Later →": "/fieldworker/jobs?page=2"}
    second = client.get("/fieldworker/jobs?page=2").get_data(as_text=True)
    assert len(refs(second)) == 11 and not set(refs(first)) & set(refs(second))
    assert links(second) == {"← Sooner": "/fieldworker/jobs"}


def test_all_bookings_counts_up_to_a_thousand_past_the_page(client, world):
    bulk_bookings(1_100, bulk_customers(30), [world.service.id], [world.fw.id])
    login(client, world.admin.email)
    html = client.get("/admin/bookings").get_data(as_text=True)
    assert f"Showing 1–25 of {COUNT_AHEAD:,}+" in html
    assert 'href="/admin/bookings?page=2"' in html and "Next →" in html
    assert "?page=44" not in html and "?page=45" not in html  # no "last page" it can't know
    # Past the first thousand the count reaches the end, and the end is exact again.
    last = client.get("/admin/bookings?page=44").get_data(as_text=True)
    assert "Showing 1,076–1,100 of 1,107" in last  # with the world's 7
    assert "Showing 1,101–1,107 of 1,107" in client.get(
        "/admin/bookings?page=45").get_data(as_text=True)
    beyond = client.get("/admin/bookings?page=60").get_data(as_text=True)
    assert "There is no page 60; showing page 45, the last." in beyond
    assert "Showing 1,101–1,107 of 1,107" in beyond
