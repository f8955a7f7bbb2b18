"""Admin > Bookings > All bookings: every filter really filters, bad URLs never break the page."""
import re
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from portal.bookings.listing import BookingFilter
from portal.bookings.models import Assignment, Booking, Service
from portal.kernel.clock import utcnow
from portal.kernel.listing import PAGE_SIZE
from portal.people import Customer
from tests.support.bulk import bulk_bookings
from tests.support.factories import DEMO_HASH, booking
from tests.support.forms import login

ROW = re.compile(r'<tr id="row-([A-Z0-9-]+)"')


@pytest.fixture
def admin(client, world):
    login(client, world.admin.email)
    return client


def listed(client, query="", **headers):
    """The references on the page, in the order shown."""
    response = client.get(f"/admin/bookings{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return ROW.findall(response.get_data(as_text=True))


def at(customer, service, starts_at, worker=None, **extra):
    """A booking at an exact UTC time."""
    b = Booking.create(customer=customer, service=service, starts_at=starts_at,
                       ends_at=starts_at + timedelta(hours=2), price=service.price, **extra)
    if worker is not None:
        Assignment.create(booking=b, staff=worker)
    return b


def test_default_lists_everything_newest_first_cancelled_marked(admin, world):
    everything = sorted(Booking.select(), key=lambda b: (b.starts_at, b.id), reverse=True)
    assert listed(admin) == [b.ref for b in everything]
    html = admin.get("/admin/bookings").get_data(as_text=True)
    row = html[html.index(f'id="row-{world.cancelled.ref}"'):]
    assert "Cancelled" in row[:row.index("</tr>")]
    assert "Fred Worker, Gina Helper" in html  # names of both fieldworkers on one booking


@pytest.mark.parametrize("view,names", [
    ("upcoming", ["soon", "upcoming", "others", "later"]),  # soonest first
    ("past", ["no_show", "past", "completed"]),
    ("cancelled", ["cancelled"]),
    ("no_show", ["no_show"]),
])
def test_views(admin, world, view, names):
    world.no_show = booking(world.customer, world.service, -timedelta(hours=3), world.fw,
                            status="no_show")
    refs = listed(admin, f"?view={view}")
    expected = [getattr(world, n).ref for n in names]
    if view == "upcoming":  # upcoming and others start at the same minute
        assert refs[0] == world.soon.ref and refs[-1] == world.later.ref
        assert sorted(refs) == sorted(expected)
    else:
        assert refs == expected
    html = admin.get(f"/admin/bookings?view={view}").get_data(as_text=True)
    assert f'<option value="{view}" selected>' in html


def test_date_range_is_in_the_business_timezone(admin, world):
    # 2030-06-15 03:30 UTC is 11:30 PM on the 14th in New York (EDT, UTC-4); 04:30 is 12:30 AM.
    late_14th = at(world.customer, world.service, datetime(2030, 6, 15, 3, 30))
    early_15th = at(world.customer, world.service, datetime(2030, 6, 15, 4, 30))
    assert listed(admin, "?from=2030-06-15&to=2030-06-15") == [early_15th.ref]
    assert listed(admin, "?from=2030-06-14&to=2030-06-14") == [late_14th.ref]
    assert listed(admin, "?from=2030-06-14") == [early_15th.ref, late_14th.ref]
    assert set(listed(admin, "?to=2030-06-14")) == {b.ref for b in Booking.select()} - {
        early_15th.ref}
    html = admin.get("/admin/bookings?from=2030-06-15&to=2030-06-14").get_data(as_text=True)
    assert "swapped" in html and len(ROW.findall(html)) == 2


def test_fieldworker_filter_lists_each_booking_once(admin, world):
    assert listed(admin, f"?fieldworker={world.fw2.id}") == [world.upcoming.ref]
    refs = listed(admin, f"?fieldworker={world.fw.id}")
    assert world.upcoming.ref in refs and len(refs) == len(set(refs)) == 7
    assert listed(admin, f"?fieldworker={world.admin.id}") == []


def test_service_filter(admin, world):
    deep = Service.create(name="Deep clean", duration_minutes=240, price=20000)
    mine = booking(world.other, deep, timedelta(days=2), world.fw)
    assert listed(admin, f"?service={deep.id}") == [mine.ref]
    assert mine.ref not in listed(admin, f"?service={world.service.id}")
    html = admin.get(f"/admin/bookings?service={deep.id}").get_data(as_text=True)
    assert f'<option value="{deep.id}" selected>Deep clean</option>' in html


@pytest.mark.parametrize("q", ["casey", "CUSTOMER@EXAMPLE", "  Casey Cust  "])
def test_search_by_customer_name_or_email_ignores_case(admin, world, q):
    refs = listed(admin, "?" + f"q={q}".replace(" ", "+"))
    mine = {b.ref for b in Booking.select().where(Booking.customer == world.customer)}
    assert set(refs) == mine


def test_search_by_reference_ignores_case(admin, world):
    assert listed(admin, f"?q={world.others.ref.lower()}") == [world.others.ref]
    assert listed(admin, f"?q={world.others.ref[3:]}") == [world.others.ref]


def test_search_treats_percent_and_underscore_literally(admin, world):
    percent = Customer.create(name="100% Clean Ltd", email="pct@example.com",
                              password_hash=DEMO_HASH)
    underscore = Customer.create(name="Under Score", email="under_score@example.com",
                                 password_hash=DEMO_HASH)
    a = booking(percent, world.service, timedelta(days=1))
    b = booking(underscore, world.service, timedelta(days=1))
    assert listed(admin, "?q=%25") == [a.ref]
    assert listed(admin, "?q=_") == [b.ref]
    assert listed(admin, "?q=%25+clean") == [a.ref]
    assert listed(admin, "?q=nobody%25") == []


def test_sort_by_time(admin, world):
    newest_first = listed(admin)
    assert listed(admin, "?sort=asc") == newest_first[::-1]
    assert listed(admin, "?view=upcoming&sort=desc") == [
        r for r in newest_first if r in listed(admin, "?view=upcoming")]


def test_pagination(admin, world):
    bulk_bookings(60, [world.other.id], [world.service.id], [world.fw2.id],
                  first=utcnow() + timedelta(days=30))
    total = Booking.select().count()  # 67
    page1, page2 = listed(admin), listed(admin, "?page=2")
    everything = [b.ref for b in Booking.select().order_by(Booking.starts_at.desc(),
                                                            Booking.id.desc())]
    assert page1 == everything[:PAGE_SIZE] and page2 == everything[PAGE_SIZE:2 * PAGE_SIZE]
    html = admin.get("/admin/bookings?page=2").get_data(as_text=True)
    assert f"Showing 26–50 of {total}" in html
    assert 'aria-label="Pages of bookings"' in html
    assert 'href="/admin/bookings?page=3"' in html and 'href="/admin/bookings"' in html
    last = admin.get("/admin/bookings?page=999").get_data(as_text=True)
    assert ROW.findall(last) == everything[2 * PAGE_SIZE:]
    assert "There is no page 999; showing page 3, the last." in last


def test_links_keep_the_filters(admin, world):
    bulk_bookings(30, [world.other.id], [world.service.id], [world.fw.id])
    html = admin.get(f"/admin/bookings?q=other&fieldworker={world.fw.id}&sort=asc"
                     ).get_data(as_text=True)
    page2 = f"/admin/bookings?fieldworker={world.fw.id}&amp;q=other&amp;sort=asc&amp;page=2"
    assert f'href="{page2}"' in html and f'hx-get="{page2}"' in html
    assert '<input type="hidden" form="booking-filters" name="sort" value="asc">' in html
    assert 'value="other"' in html  # the search box keeps what was typed


@pytest.mark.parametrize("query,message", [
    ("?page=abc", "“abc” is not a page number"),
    ("?page=-3", "“-3” is not a page number"),
    ("?page=99999999999999999999999", "is not a page number"),
    ("?from=nonsense", "“nonsense” is not a date"),
    ("?to=2026-13-40", "“2026-13-40” is not a date"),
    ("?from=0001-01-01&to=9999-12-31", "is not a date"),
    ("?fieldworker=xyz", "“xyz” is not a fieldworker"),
    ("?fieldworker=99999999999999999999", "is not a fieldworker"),
    ("?service=-1", "“-1” is not a service"),
    ("?q=" + "x" * 5000, "Searches are limited to 100 characters"),
    ("?view=bogus", "“bogus” is not a list of bookings"),
])
def test_bad_args_show_a_message_never_an_error(admin, world, query, message):
    response = admin.get(f"/admin/bookings{query}")
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


@hsettings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["view", "from", "to", "fieldworker", "service", "q",
                                        "sort", "page"]), st.text(max_size=30)))
def test_any_args_parse_and_survive_a_round_trip(args):
    flt = BookingFilter.from_args(args, "Asia/Tokyo")
    again = BookingFilter.from_args({k: str(v) for k, v in flt.to_args().items()}, "Asia/Tokyo")
    assert again.to_args() == flt.to_args() and not again.notes


def test_htmx_gets_only_the_fragment(admin, world):
    response = admin.get("/admin/bookings?view=cancelled", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert "<html" not in html and html.lstrip().startswith(("{#", "<section"))
    assert 'id="bookings-table"' in html and ROW.findall(html) == [world.cancelled.ref]
    assert response.headers["HX-Push-Url"] == "/admin/bookings?view=cancelled"
    restore = admin.get("/admin/bookings", headers={"HX-Request": "true",
                                                    "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)
    page = admin.get("/admin/bookings").get_data(as_text=True)
    assert 'hx-target="#bookings-table"' in page and 'hx-push-url="true"' in page
    assert 'HX-Request' in admin.get("/admin/bookings").headers["Vary"]


def test_pushed_url_is_short_and_shows_what_is_on_screen(admin, world):
    """The form sends its empty fields too; the address bar gets only what matters."""
    form = "?q=+casey+&from=&to=&view=upcoming&fieldworker=&service=&sort=asc&page=7"
    response = admin.get(f"/admin/bookings{form}", headers={"HX-Request": "true"})
    assert response.headers["HX-Push-Url"] == "/admin/bookings?view=upcoming&q=casey"
    junk = admin.get("/admin/bookings?page=abc&fieldworker=xyz", headers={"HX-Request": "true"})
    assert junk.headers["HX-Push-Url"] == "/admin/bookings"


def test_empty_result_offers_to_clear(admin, world):
    html = admin.get("/admin/bookings?q=zzzz-nobody").get_data(as_text=True)
    assert "No bookings match these filters." in html and "Clear filters" in html
    assert "<table" not in html


def test_form_has_labelled_fields(admin, world):
    html = admin.get("/admin/bookings").get_data(as_text=True)
    for field in ("filter-q", "filter-from", "filter-to", "filter-fieldworker", "filter-service"):
        assert f'<label for="{field}">' in html and f'id="{field}"' in html
    assert f'<option value="{world.fw2.id}">Gina Helper</option>' in html


def test_only_admins(client, world):
    assert client.get("/admin/bookings").status_code == 302
    assert "/login" in client.get("/admin/bookings").headers["Location"]
    login(client, world.customer.email)
    assert client.get("/admin/bookings?view=all").status_code == 403
