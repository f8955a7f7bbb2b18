"""All bookings' row menu and Today's closing buttons: each offers only what the policy allows,
opens the booking's own confirm step, and comes back to the same list (filters, page) with the
result message; `next` never leads anywhere but a list of ours."""
from datetime import timedelta
import json
import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from portal.bookings.models import Booking
from tests.support.cancelling import effects, unchanged
from tests.support.forms import csrf_from
from tests.support.pages import text
from portal.kernel.timefmt import to_local

HX = {"HX-Request": "true"}


def row(html, booking):
    start = html.index(f'id="row-{booking.ref}"')
    return html[start:html.index("</tr>", start)]


def menu_items(html, booking):
    return re.findall(r"<li><a [^>]*>([^<]+)</a></li>", row(html, booking))


def test_each_row_offers_what_the_policy_allows(admin_client, world):
    html = text(admin_client.get("/admin/bookings"))
    assert menu_items(html, world.upcoming) == ["Reschedule", "Cancel"]  # not yet a no-show
    assert menu_items(html, world.past) == ["Mark no-show"]  # too late to move or cancel
    for closed in (world.completed, world.cancelled):
        assert "row-menu" not in row(html, closed)
    summary = re.search(r"<summary>(.*?)</summary>", row(html, world.upcoming)).group(1)
    assert "Actions" in summary and world.upcoming.ref in summary  # named for screen readers


def test_the_menu_links_carry_the_list_with_its_filters(admin_client, world):
    html = text(admin_client.get("/admin/bookings?view=upcoming&q=Casey&page=1"))
    links = re.findall(r'<a href="([^"]+)" hx-get="([^"]+)" hx-target="#modal-root"',
                       row(html, world.upcoming))
    cancel = next(href for href, get in links if "/cancel?" in href and href == get)
    assert urlsplit(cancel).path == f"/admin/bookings/{world.upcoming.ref}/cancel"
    here = parse_qs(urlsplit(cancel).query)["next"][0]
    assert urlsplit(here).path == "/admin/bookings"
    assert parse_qs(urlsplit(here).query) == {"view": ["upcoming"], "q": ["Casey"]}
    step = text(admin_client.get(cancel, headers=HX))
    # The step posts with `next`, and "Keep booking" goes back to the list, not the booking.
    assert f'action="{cancel}"' in step and 'hx-target="#modal-root"' in step
    assert re.search(rf'href="{re.escape(here)}" role="button"[^>]*data-close-modal', step)


def _post(client, url, data, headers=None):
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, headers=headers or {})


def test_cancelling_from_a_row_comes_back_to_the_same_page(admin_client, world):
    here = "/admin/bookings?view=upcoming&page=1"
    url = f"/admin/bookings/{world.upcoming.ref}/cancel?next=" + quote(here, safe="")
    response = _post(admin_client, url, {"version": world.upcoming.version, "note": "Sick"})
    assert response.status_code == 302 and response.headers["Location"] == here
    assert Booking.get_by_id(world.upcoming.id).status == "cancelled"
    page = text(admin_client.get(here))
    assert "Booking cancelled. The customer is emailed" in page  # the result message


def test_with_htmx_the_list_is_fetched_again_in_place(admin_client, world):
    here = "/admin/bookings?fieldworker=%d" % world.fw.id
    url = f"/admin/bookings/{world.later.ref}/cancel?next=" + quote(here, safe="")
    response = _post(admin_client, url, {"version": world.later.version}, HX)
    assert response.status_code == 200 and "HX-Redirect" not in response.headers
    assert json.loads(response.headers["HX-Trigger"]) == {"bookingCancelled": {
        "ref": world.later.ref}}
    assert json.loads(response.headers["HX-Location"]) == {
        "path": here, "target": "#main", "select": "#main", "swap": "outerHTML"}
    # What htmx then asks for: the whole page (its #main replaces the one shown), message in it.
    page = text(admin_client.get(here, headers={**HX, "HX-Target": "main"}))
    assert '<main id="main"' in page and "Booking cancelled." in page
    assert "HX-Target" in admin_client.get(here, headers=HX).headers["Vary"]


def test_a_refusal_stays_in_the_dialog(admin_client, world):
    here = "/admin/bookings"
    url = f"/admin/bookings/{world.upcoming.ref}/cancel?next=" + quote(here, safe="")
    response = _post(admin_client, url, {"version": world.upcoming.version + 5}, HX)
    assert response.status_code == 409 and response.headers["HX-Retarget"] == "#modal-root"
    assert "HX-Location" not in response.headers
    assert effects(world.upcoming) == unchanged(world.upcoming)


@pytest.mark.parametrize("foreign", [
    "https://elsewhere.example/admin/bookings", "//elsewhere.example/admin/bookings",
    "/\\elsewhere.example/admin/bookings", "/admin/staff", "/login", "admin/bookings"])
def test_next_only_ever_leads_to_a_list_of_ours(admin_client, world, foreign):
    url = f"/admin/bookings/{world.upcoming.ref}/cancel?next=" + quote(foreign, safe="")
    assert "next=" not in text(admin_client.get(url)).split('action="')[1].split('"')[0]
    response = _post(admin_client, url, {"version": world.upcoming.version})
    assert response.headers["Location"] == f"/admin/bookings/{world.upcoming.ref}"


def test_no_show_from_a_row(admin_client, world):
    here = "/admin/bookings?view=past"
    url = (f"/admin/bookings/{world.past.ref}/status?status=no_show&next="
           + quote(here, safe=""))
    response = _post(admin_client, url, {"status": "no_show", "version": world.past.version})
    assert response.status_code == 302 and response.headers["Location"] == here
    assert Booking.get_by_id(world.past.id).status == "no_show"


def test_closing_from_today_returns_to_today(admin_client, world):
    # The week view names its week by its Monday: start there, so "back" is this very address.
    past_day = to_local(world.past.starts_at, world.settings.timezone).date()
    day = (past_day - timedelta(days=past_day.weekday())).isoformat()
    today = f"/admin/today?day={day}&span=week&fieldworker={world.fw.id}"
    html = text(admin_client.get(today))
    links = re.findall(r'href="([^"]+)" hx-get="[^"]+" hx-target="#modal-root"', html)
    url = next(link for link in links if f"{world.past.ref}/status?status=completed" in link)
    assert parse_qs(urlsplit(url).query)["next"] == [today]
    response = _post(admin_client, url, {"status": "completed", "version": world.past.version},
                     HX)
    assert json.loads(response.headers["HX-Location"])["path"] == today
    assert Booking.get_by_id(world.past.id).status == "completed"
    after = text(admin_client.get(today, headers={**HX, "HX-Target": "main"}))
    assert "Booking marked as completed." in after and "needs-closing" not in after
