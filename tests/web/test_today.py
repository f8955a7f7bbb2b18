"""Admin › Today: a day or week of bookings, a fieldworker filter, and the past jobs still
Scheduled (needs closing), closed through the usual status step."""
import re
from datetime import timedelta

from portal.kernel.timefmt import to_local
from tests.support.forms import csrf_from, login


def _day(world, booking):
    return to_local(booking.starts_at, world.settings.timezone).date()


def _section(html, title_id):
    start = html.index(f'aria-labelledby="{title_id}"')
    return html[start:html.index("</section>", start)]


def _link(booking):
    return f'href="/admin/bookings/{booking.ref}"'


def test_an_admin_lands_on_today(client, world):
    response = login(client, world.admin.email)
    assert response.headers["Location"].endswith("/admin/today")
    html = client.get("/admin/today").get_data(as_text=True)
    assert re.search(r"<h1>Today</h1>", html)
    nav = html[html.index('aria-label="Main"'):html.index("</nav>")]
    assert nav.index(">Today<") < nav.index(">Bookings<")  # the first item


def test_a_day_lists_its_bookings_and_the_jobs_that_need_closing(admin_client, world):
    day = _day(world, world.upcoming)
    html = admin_client.get(f"/admin/today?day={day}").get_data(as_text=True)
    listed = _section(html, f"day-{day.isoformat()}")
    assert _link(world.upcoming) in listed and _link(world.others) in listed
    assert _link(world.later) not in listed and _link(world.soon) not in listed
    assert "Fred Worker, Gina Helper" in listed  # everyone on the job, by name
    closing = _section(html, "needs-closing-title")
    # Yesterday's job is still Scheduled after its end; completed and future ones are not.
    assert _link(world.past) in closing
    assert f"/admin/bookings/{world.past.ref}/status?status=completed" in closing
    for done in (world.completed, world.upcoming, world.cancelled):
        assert _link(done) not in closing


def test_previous_and_next_day_and_the_week(admin_client, world):
    day = _day(world, world.upcoming)
    html = admin_client.get(f"/admin/today?day={day}").get_data(as_text=True)
    assert f'href="/admin/today?day={day - timedelta(days=1)}" rel="prev"' in html
    assert f'href="/admin/today?day={day + timedelta(days=1)}" rel="next"' in html
    week = admin_client.get(f"/admin/today?day={day}&span=week").get_data(as_text=True)
    monday = day - timedelta(days=day.weekday())
    assert f"Week of {monday.strftime('%-d %b %Y')}" in week
    headings = re.findall(r'<h2 id="day-(\d{4}-\d\d-\d\d)"', week)
    assert headings == [(monday + timedelta(days=i)).isoformat() for i in range(7)]
    assert _link(world.upcoming) in week
    assert f"day={monday + timedelta(days=7)}&amp;span=week" in week


def test_one_fieldworkers_day(admin_client, world):
    day = _day(world, world.upcoming)
    html = admin_client.get(f"/admin/today?day={day}&fieldworker={world.fw2.id}") \
        .get_data(as_text=True)
    listed = _section(html, f"day-{day.isoformat()}")
    assert _link(world.upcoming) in listed  # Gina is on it
    assert _link(world.others) not in listed  # only Fred
    assert "needs-closing-title" not in html  # yesterday's job was Fred's


def test_bad_arguments_become_notes_not_errors(admin_client, world):
    response = admin_client.get("/admin/today?day=31-31-2026&span=year&fieldworker=x")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "is not a date; showing today" in html
    assert "is neither a day nor a week; showing a day" in html
    assert "is not a fieldworker" in html
    assert "<h1>Today</h1>" in html


def test_closing_a_job_takes_it_off_the_list(admin_client, world):
    page = admin_client.get(f"/admin/bookings/{world.past.ref}/status?status=completed")
    response = admin_client.post(f"/admin/bookings/{world.past.ref}/status", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "status": "completed",
        "version": world.past.version})
    assert response.status_code == 302
    html = admin_client.get("/admin/today").get_data(as_text=True)
    assert "needs-closing-title" not in html
