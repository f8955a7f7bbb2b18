"""A form sent after the session ended, or with a stale security token, keeps what was typed:
htmx gets a 401/400 notice for the open dialog (never a redirect it would swap in), a plain
POST gets a page with the text in a form that sends it again and a login link with `next`."""
import html as html_lib
import re
from urllib.parse import parse_qs, urlsplit

from portal.accounts.sessions import LoginSession
from portal.bookings.models import Booking
from tests.support.cancelling import effects, unchanged
from tests.support.forms import csrf_from, login
from tests.support.pages import text
from tests.support.request_context import _push_request_context  # noqa: F401  (one `g` per request)

HX = {"HX-Request": "true"}
NOTE = "Customer phoned: <moving house> & back in May"


def end_sessions():
    """The server-side session ends (idle timeout, logout elsewhere); the cookie stays."""
    LoginSession.delete().execute()


def cancel_url(booking):
    return f"/admin/bookings/{booking.ref}/cancel"


def open_step(client, booking):
    return csrf_from(client.get(cancel_url(booking)).get_data(as_text=True))


def test_htmx_after_expiry_gets_a_notice_for_the_dialog(admin_client, world):
    token = open_step(admin_client, world.upcoming)
    end_sessions()
    response = admin_client.post(cancel_url(world.upcoming), headers={
        **HX, "HX-Current-URL": f"http://localhost/admin/bookings/{world.upcoming.ref}"},
        data={"csrf_token": token, "note": NOTE, "version": world.upcoming.version})
    assert response.status_code == 401 and "HX-Redirect" not in response.headers
    assert response.headers["X-Session-Expired"] == "1"
    body = text(response)
    assert "Your session expired — log in again; what you typed is kept." in body
    login_link = re.search(r'href="(/login\?next=[^"]+)" target="_blank"', body).group(1)
    assert parse_qs(urlsplit(login_link).query)["next"] == [
        f"/admin/bookings/{world.upcoming.ref}"]
    assert re.search(r'class="session-expired[^"]*"[^>]*data-csrf="[^"]+"', body)
    assert effects(world.upcoming) == unchanged(world.upcoming)


def test_a_date_change_after_expiry_is_a_401_not_the_login_page(admin_client, world):
    url = f"/admin/bookings/{world.upcoming.ref}/reschedule?date=2099-01-01"
    end_sessions()
    response = admin_client.get(url, headers={**HX, "HX-Target": "reschedule-times"})
    assert response.status_code == 401 and "HX-Redirect" not in response.headers
    assert "Log in again" in text(response) and "<form" not in text(response)


def test_without_javascript_the_typed_note_comes_back_and_can_be_sent_again(
        admin_client, world):
    token = open_step(admin_client, world.upcoming)
    end_sessions()
    response = admin_client.post(cancel_url(world.upcoming), data={
        "csrf_token": token, "note": NOTE, "version": world.upcoming.version,
        "password": "never echoed"})
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "Your session expired" in text(response) and "never echoed" not in page
    assert f">{html_lib.escape(NOTE, quote=False)}</textarea>" in page.replace("&#34;", '"')
    assert f'name="version" value="{world.upcoming.version}"' in page
    assert f'action="{cancel_url(world.upcoming)}"' in page
    link = re.search(r'href="(/login\?next=[^"]+)"', page).group(1)
    assert parse_qs(urlsplit(html_lib.unescape(link)).query)["next"] == [
        cancel_url(world.upcoming)]
    assert effects(world.upcoming) == unchanged(world.upcoming)

    # Logged in again (the other tab), "Send again" posts the kept form as it stands.
    login(admin_client, world.admin.email)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    fields["note"] = NOTE
    again = admin_client.post(cancel_url(world.upcoming), data=fields)
    assert again.status_code == 302
    cancelled = Booking.get_by_id(world.upcoming.id)
    assert (cancelled.status, cancelled.cancel_note) == ("cancelled", NOTE)


def test_a_stale_token_keeps_the_text_and_hands_a_fresh_one(admin_client, world):
    open_step(admin_client, world.upcoming)
    data = {"csrf_token": "stale-token", "note": NOTE, "version": world.upcoming.version}
    htmx = admin_client.post(cancel_url(world.upcoming), data=data, headers=HX)
    assert htmx.status_code == 400 and htmx.headers["X-Session-Expired"] == "1"
    fresh = re.search(r'data-csrf="([^"]+)"', htmx.get_data(as_text=True)).group(1)
    assert "security token" in text(htmx) and "Log in again" not in text(htmx)
    plain = admin_client.post(cancel_url(world.upcoming), data=data)
    assert plain.status_code == 400 and NOTE in text(plain)
    assert effects(world.upcoming) == unchanged(world.upcoming)
    again = admin_client.post(cancel_url(world.upcoming), headers=HX,
                              data={**data, "csrf_token": fresh})
    assert again.status_code == 200
    assert Booking.get_by_id(world.upcoming.id).cancel_note == NOTE


def test_a_plain_page_after_expiry_still_goes_to_the_login_page(admin_client, world):
    end_sessions()
    response = admin_client.get("/admin/bookings")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_form_is_kept_even_after_a_poll_met_the_ended_session_first(admin_client, world):
    token = open_step(admin_client, world.upcoming)
    end_sessions()
    poll = admin_client.get("/fieldworker/notifications/badge", headers=HX)
    assert poll.status_code == 401 and poll.headers["HX-Redirect"].startswith("/login")
    response = admin_client.post(cancel_url(world.upcoming), headers=HX, data={
        "csrf_token": token, "note": NOTE, "version": world.upcoming.version})
    assert response.status_code == 401 and response.headers["X-Session-Expired"] == "1"


def test_someone_who_never_logged_in_is_sent_to_the_login_page(client, world):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(cancel_url(world.upcoming), data={"csrf_token": token, "note": NOTE})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    htmx = client.get(cancel_url(world.upcoming), headers=HX)
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/login")
