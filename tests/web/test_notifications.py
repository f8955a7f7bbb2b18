"""Staff notifications through HTTP: the nav badge, its fragment, marking read."""
import json
import re

import pytest

from portal.messaging import notify
from portal.messaging.models import Notification
from tests.support.cancelling import HX, post_cancel
from tests.support.forms import csrf_from, login
from tests.support.queries import count_queries
from tests.support.request_context import _push_request_context  # noqa: F401  (one `g` per request)

BADGE = "/fieldworker/notifications/badge"


def notices(staff, booking, n, read=False):
    for i in range(n):
        Notification.create(staff=staff, booking=booking, kind="booking_cancelled",
                            message=f"Notice {i} about {booking.ref}",
                            read_at=booking.created_at if read else None)
    return list(Notification.select().where(Notification.staff == staff)
                .order_by(Notification.id))


@pytest.fixture
def fw_client(app, world):
    client = app.test_client()
    login(client, world.fw.email)
    return client


def token(client):
    return csrf_from(client.get("/fieldworker/notifications").get_data(as_text=True))


def unread(staff):
    return notify.unread_count(staff.id)


def test_the_badge_fragment_counts_only_my_unread_notices(fw_client, world):
    notices(world.fw, world.upcoming, 2)
    notices(world.fw, world.later, 1, read=True)
    notices(world.fw2, world.upcoming, 4)
    response = fw_client.get(BADGE, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert html.lstrip().startswith('<span id="notification-badge"')
    assert ">2<span class=\"visually-hidden\"> unread notifications</span>" in html
    assert 'hx-trigger="every 10s, notificationsRead from:body"' in html
    assert 'hx-swap="outerHTML"' in html and "<html" not in html


def test_the_badge_says_one_notification_and_shows_nothing_at_zero(fw_client, world):
    html = fw_client.get(BADGE, headers=HX).get_data(as_text=True)
    assert 'id="notification-badge"' in html and "badge-count" not in html
    assert "unread" not in html
    notices(world.fw, world.upcoming, 1)
    assert "1<span class=\"visually-hidden\"> unread notification</span>" in fw_client.get(
        BADGE, headers=HX).get_data(as_text=True)


def test_the_poll_interval_comes_from_config(app, fw_client, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFICATION_POLL_SECONDS", 1)
    assert 'hx-trigger="every 1s,' in fw_client.get(BADGE).get_data(as_text=True)


def test_every_staff_page_draws_the_count_in_the_nav(app, fw_client, world):
    notices(world.fw, world.upcoming, 3)
    for url in ("/fieldworker/jobs", f"/fieldworker/jobs/{world.upcoming.ref}",
                "/fieldworker/notifications"):
        html = fw_client.get(url).get_data(as_text=True)
        assert 'id="notification-badge"' in html and "3<span" in html, url
    customer = app.test_client()
    login(customer, world.customer.email)
    assert 'id="notification-badge"' not in customer.get("/bookings").get_data(as_text=True)


def test_a_customer_cancellation_lights_the_badge_with_reason_and_note(fw_client, app, world):
    customer = app.test_client()
    login(customer, world.customer.email)
    assert post_cancel(customer, world.upcoming, note="Away that week").status_code == 302
    assert "1<span" in fw_client.get(BADGE, headers=HX).get_data(as_text=True)
    html = fw_client.get("/fieldworker/notifications").get_data(as_text=True)
    assert f'href="/fieldworker/jobs/{world.upcoming.ref}"' in html and "Away that week" in html
    job = fw_client.get(f"/fieldworker/jobs/{world.upcoming.ref}").get_data(as_text=True)
    assert "Cancelled" in job and "Away that week" in job


@pytest.mark.parametrize("who", ["customer", "fieldworker"])
def test_each_reader_opens_their_own_page_for_the_booking(app, fw_client, world, who):
    """An admin on the job opens the admin booking page; a fieldworker opens their job."""
    from portal.bookings.models import Assignment
    from portal.bookings.services import cancel_booking
    from portal.kernel.actors import Actor
    Assignment.create(booking=world.upcoming, staff=world.admin)
    if who == "customer":
        customer = app.test_client()
        login(customer, world.customer.email)
        assert post_cancel(customer, world.upcoming).status_code == 302
    else:
        with app.app_context():  # the emails are rendered from the app's templates
            cancel_booking(world.upcoming.ref, Actor("fieldworker", world.fw2.id, "Gina", True),
                           channel="fieldworker")
    ref = world.upcoming.ref
    admin = app.test_client()
    login(admin, world.admin.email)
    html = admin.get("/fieldworker/notifications").get_data(as_text=True)
    assert f'href="/admin/bookings/{ref}">Open booking' in html
    assert f"/fieldworker/jobs/{ref}" not in html
    assert admin.get(f"/admin/bookings/{ref}").status_code == 200
    [notice] = Notification.select().where(Notification.staff == world.admin.id)
    read = admin.post(f"/fieldworker/notifications/{notice.id}/read", headers=HX,
                      data={"csrf_token": token(admin)}).get_data(as_text=True)
    assert f'href="/admin/bookings/{ref}"' in read  # the swapped-in notice keeps its link
    html = fw_client.get("/fieldworker/notifications").get_data(as_text=True)
    assert f'href="/fieldworker/jobs/{ref}">Open job' in html and "/admin/" not in html


def test_marking_one_read_without_javascript(fw_client, world):
    first, second = notices(world.fw, world.upcoming, 2)
    response = fw_client.post(f"/fieldworker/notifications/{first.id}/read",
                              data={"csrf_token": token(fw_client)})
    assert response.status_code == 302
    assert response.location.endswith(f"/fieldworker/notifications#notification-{first.id}")
    assert Notification.get_by_id(first.id).read_at is not None
    assert Notification.get_by_id(second.id).read_at is None
    html = fw_client.get("/fieldworker/notifications").get_data(as_text=True)
    assert html.count("Mark as read") == 1 and 'aria-label="1 unread"' in html


def test_marking_one_read_with_htmx_swaps_it_and_tells_the_badge(fw_client, world):
    first, _ = notices(world.fw, world.upcoming, 2)
    response = fw_client.post(f"/fieldworker/notifications/{first.id}/read",
                              data={"csrf_token": token(fw_client)}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert json.loads(response.headers["HX-Trigger"]) == {"notificationsRead": True}
    assert html.lstrip().startswith(f'<li id="notification-{first.id}"')
    assert "Mark as read" not in html and "unread" not in html.split("</li>")[0]
    assert 'id="unread-heading" hx-swap-oob="true"' in html and 'aria-label="1 unread"' in html
    again = fw_client.post(f"/fieldworker/notifications/{first.id}/read",
                           data={"csrf_token": token(fw_client)}, headers=HX)
    assert again.status_code == 200  # a double click is harmless


def test_mark_all_read_only_touches_mine(fw_client, world):
    notices(world.fw, world.upcoming, 3)
    notices(world.fw2, world.upcoming, 2)
    response = fw_client.post("/fieldworker/notifications/read-all",
                              data={"csrf_token": token(fw_client)}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "notificationsRead" in response.headers["HX-Trigger"]
    assert html.lstrip().startswith('<section id="notifications"')
    assert "Mark as read" not in html and "Mark all as read" not in html
    assert (unread(world.fw), unread(world.fw2)) == (0, 2)
    assert fw_client.post("/fieldworker/notifications/read-all",
                          data={"csrf_token": token(fw_client)}).status_code == 302


def test_someone_elses_notice_is_not_found(fw_client, world):
    [theirs] = notices(world.fw2, world.upcoming, 1)
    for notification_id in (theirs.id, 999999):
        response = fw_client.post(f"/fieldworker/notifications/{notification_id}/read",
                                  data={"csrf_token": token(fw_client)})
        assert response.status_code == 404
    assert Notification.get_by_id(theirs.id).read_at is None


def test_customers_get_403_and_strangers_the_login_page(client, world):
    [notice] = notices(world.fw, world.upcoming, 1)
    posts = (f"/fieldworker/notifications/{notice.id}/read", "/fieldworker/notifications/read-all")
    csrf = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.get(BADGE)
    assert response.status_code == 302 and "/login" in response.location
    for url in posts:
        assert client.post(url, data={"csrf_token": csrf}).status_code == 302
    login(client, world.customer.email)
    csrf = csrf_from(client.get("/bookings").get_data(as_text=True))
    assert client.get(BADGE).status_code == 403
    for url in posts:
        assert client.post(url, data={"csrf_token": csrf}).status_code == 403
    assert unread(world.fw) == 1


def test_marking_read_needs_the_csrf_token(fw_client, world):
    [notice] = notices(world.fw, world.upcoming, 1)
    for url in (f"/fieldworker/notifications/{notice.id}/read",
                "/fieldworker/notifications/read-all"):
        assert fw_client.post(url).status_code == 400
        assert fw_client.post(url, data={"csrf_token": "forged"}, headers=HX).status_code == 400
    assert unread(world.fw) == 1


def queries(client, url):
    client.get(url)
    with count_queries() as seen:
        assert client.get(url).status_code == 200
    return seen


def test_badge_and_list_queries_do_not_grow_with_notices(fw_client, world):
    notices(world.fw, world.upcoming, 1)
    urls = (BADGE, "/fieldworker/notifications", "/fieldworker/jobs")
    before = {url: len(queries(fw_client, url)) for url in urls}
    for b in (world.later, world.soon, world.past, world.cancelled):
        notices(world.fw, b, 10)
    after = {url: len(queries(fw_client, url)) for url in urls}
    assert before == after and after[BADGE] <= 2, after
    # A GET's unread count comes with the staff member, in the statement that loads their
    # session (accounts.sessions): no statement of its own, on the badge or any page.
    count = notify.UNREAD.logged_as()  # (its SQL is built once: on PostgreSQL an EXECUTE)
    for url in urls:
        counts = [q for q in queries(fw_client, url) if any(text in q for text in count)]
        assert counts == [], (url, counts)


@pytest.mark.parametrize("url", [BADGE, "/fieldworker/jobs"])
def test_the_count_read_with_the_staff_member_is_the_plain_count(fw_client, world, url):
    """The number a GET shows, counted in the session's statement, is what notify.unread_count
    counts, as notices come, are read, and belong to someone else."""
    def shown():
        found = re.search(r'badge-count"[^>]*>(\d+)<', fw_client.get(url).get_data(as_text=True))
        return int(found.group(1)) if found else 0
    assert shown() == unread(world.fw) == 0
    notices(world.fw, world.upcoming, 3)
    notices(world.fw2, world.upcoming, 2)
    notices(world.fw, world.later, 4, read=True)
    assert shown() == unread(world.fw) == 3
    Notification.update(read_at=world.upcoming.created_at).where(
        Notification.id == notices(world.fw, world.upcoming, 0)[0].id).execute()
    assert shown() == unread(world.fw) == 2

