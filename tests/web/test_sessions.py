"""Server-side login sessions, driven as a person and as someone holding a copied cookie would:
logging out ends the session everywhere, idle and absolute limits hold, a new password or a
deactivation ends every session, and the database holds nothing a cookie could be made from."""
import hashlib
from datetime import timedelta

import pytest

from portal.accounts.sessions import LoginSession
from portal.kernel.clock import utcnow
from portal.people import Customer, Staff
from tests.support.account_helpers import (NEW_PASSWORD, _push_request_context, browser, in_app,
                                           log_in, page)
from tests.support.forms import csrf_from

HTMX = {"HX-Request": "true"}


def logged_in(app, email, address="127.0.0.1"):
    client = browser(app, address)
    assert log_in(client, email).status_code == 302
    return client


def copy_of(app, client, address="10.9.9.9"):
    """Another browser (another address) holding the same session cookie."""
    thief = browser(app, address)
    thief.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    return thief


def log_out(client):
    html = client.get("/login", follow_redirects=True).get_data(as_text=True)  # nav: Log out
    assert client.post("/logout", data={"csrf_token": csrf_from(html)}).status_code == 302


def row_of(person):
    owner = LoginSession.customer if isinstance(person, Customer) else LoginSession.staff
    return LoginSession.get(owner == person.id)


def age(person, idle=timedelta(0), since_login=timedelta(0)):
    """Move the person's session into the past, as if time had passed."""
    row = row_of(person)
    (LoginSession.update(last_seen_at=row.last_seen_at - idle,
                         created_at=row.created_at - since_login)
     .where(LoginSession.id == row.id).execute())


def assert_logged_out(client, path="/bookings", here=False):
    """`here`: this browser logged out itself (nothing to keep); otherwise its session ended
    under it (elsewhere, timed out) and an htmx request gets the kept-form notice."""
    response = client.get(path)
    assert response.status_code == 302, response.status_code and response.headers["Location"].startswith("/login")
    htmx = client.get(path, headers=HTMX)
    if here or path.endswith("/badge"):  # the badge: an idle tab goes to the login page
        assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/login")
        return
    # A 401 the page shows (a dialog keeps what was typed), with a login link; never a
    # redirect htmx would swap in (portal/web/app/session_expiry.py).
    assert htmx.status_code == 401 and "HX-Redirect" not in htmx.headers
    assert "/login?next=" in htmx.get_data(as_text=True)


def test_logging_out_ends_the_session_wherever_its_cookie_was_copied(app, world):
    mine = logged_in(app, world.customer.email)
    thief = copy_of(app, mine)
    assert thief.get("/bookings").status_code == 200  # the copy works while the session lives
    log_out(mine)
    assert_logged_out(thief)
    assert_logged_out(mine, here=True)
    assert LoginSession.select().count() == 0


def test_a_copied_staff_cookie_stops_at_logout_too(app, world):
    admin = logged_in(app, world.admin.email)
    thief = copy_of(app, admin)
    assert thief.get("/admin/bookings").status_code == 200
    log_out(admin)
    assert_logged_out(thief, "/admin/bookings")
    assert_logged_out(thief, "/fieldworker/notifications/badge")


def test_logging_out_one_browser_leaves_my_other_sessions(app, world):
    phone, laptop = logged_in(app, world.customer.email), logged_in(app, world.customer.email)
    log_out(phone)
    assert laptop.get("/bookings").status_code == 200
    assert LoginSession.select().count() == 1


def test_an_ended_session_says_so_on_the_login_page(app, world):
    mine = logged_in(app, world.customer.email)
    age(world.customer, idle=timedelta(hours=2))
    response = mine.get("/bookings", follow_redirects=True)
    assert "Your session has ended. Please log in again." in response.get_data(as_text=True)
    # The stale key is forgotten: the next page is an ordinary "please log in".
    assert "Please log in to see that page." in mine.get(
        "/bookings", follow_redirects=True).get_data(as_text=True)


@pytest.mark.parametrize("idle, alive", [(timedelta(minutes=59), True),
                                         (timedelta(minutes=60), False),
                                         (timedelta(days=3), False)])
def test_the_idle_timeout(app, world, idle, alive):
    mine = logged_in(app, world.customer.email)
    age(world.customer, idle=idle)
    if alive:
        assert mine.get("/bookings").status_code == 200
        assert utcnow() - row_of(world.customer).last_seen_at < timedelta(minutes=1)
    else:
        assert_logged_out(mine)
        assert LoginSession.select().count() == 0  # the expired row is gone


@pytest.mark.parametrize("since_login, alive", [(timedelta(hours=11, minutes=59), True),
                                                (timedelta(hours=12), False)])
def test_the_absolute_lifetime_holds_however_active_the_session(app, world, since_login, alive):
    mine = logged_in(app, world.customer.email)
    age(world.customer, since_login=since_login)  # last seen just now: busy all along
    assert (mine.get("/bookings").status_code == 200) is alive


def test_the_limits_are_settings(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    monkeypatch.setitem(app.config, "SESSION_MAX_HOURS", 1)
    first = logged_in(app, world.customer.email)
    age(world.customer, idle=timedelta(minutes=5))
    assert_logged_out(first)
    second = logged_in(app, world.customer.email)
    age(world.customer, since_login=timedelta(hours=1))
    assert_logged_out(second)


def test_the_kept_limits_follow_the_settings_both_ways(app, monkeypatch):
    """The limits are kept per pair of settings: changed and changed back, each request
    checks against the settings as they are."""
    from portal.accounts.sessions import idle_limit, max_age
    with app.app_context():
        assert (idle_limit(), max_age()) == (timedelta(minutes=60), timedelta(hours=12))
        monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", "7.5")
        monkeypatch.setitem(app.config, "SESSION_MAX_HOURS", 2)
        assert (idle_limit(), max_age()) == (timedelta(minutes=7.5), timedelta(hours=2))
        monkeypatch.undo()
        assert (idle_limit(), max_age()) == (timedelta(minutes=60), timedelta(hours=12))


def test_activity_is_written_at_most_once_a_minute(app, world):
    mine = logged_in(app, world.customer.email)
    seen = row_of(world.customer).last_seen_at
    assert mine.get("/bookings").status_code == 200
    assert row_of(world.customer).last_seen_at == seen  # seconds later: no write
    age(world.customer, idle=timedelta(minutes=2))
    assert mine.get("/bookings").status_code == 200
    assert row_of(world.customer).last_seen_at > seen - timedelta(minutes=2)


def test_the_notification_badge_polling_is_not_activity(app, world):
    """An open tab polls every few seconds; that alone must not keep a session alive."""
    admin = logged_in(app, world.admin.email)
    age(world.admin, idle=timedelta(minutes=30))
    before = row_of(world.admin).last_seen_at
    assert admin.get("/fieldworker/notifications/badge", headers=HTMX).status_code == 200
    assert row_of(world.admin).last_seen_at == before
    age(world.admin, idle=timedelta(minutes=30))  # an hour in all, polling throughout
    assert admin.get("/fieldworker/notifications/badge", headers=HTMX).status_code == 401


def test_a_new_password_ends_every_other_session_and_copy(app, world):
    here, elsewhere = (logged_in(app, world.customer.email),
                       logged_in(app, world.customer.email, "10.1.1.1"))
    thief = copy_of(app, here)
    html = page(here, "/account/password").get_data(as_text=True)
    assert here.post("/account/password", data={
        "csrf_token": csrf_from(html), "current_password": "demo", "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD}).status_code == 302
    assert here.get("/bookings").status_code == 200  # a fresh session for this browser
    assert_logged_out(elsewhere)
    assert_logged_out(thief)  # the copy was of the session this browser had before
    assert LoginSession.select().count() == 1


def test_deactivating_staff_ends_their_sessions(app, world):
    from portal.kernel.actors import actor_for
    from portal.people.staff import set_active
    worker = logged_in(app, world.fw.email)
    assert worker.get("/fieldworker/jobs").status_code == 200
    with in_app():
        set_active(world.fw.id, False, actor_for(world.admin))
        set_active(world.fw.id, True, actor_for(world.admin))  # reactivating revives nothing
    assert_logged_out(worker, "/fieldworker/jobs")


def test_the_table_holds_nothing_a_cookie_could_be_made_from(app, world):
    mine = logged_in(app, world.customer.email)
    with in_app():
        key = app.session_interface.get_signing_serializer(app).loads(
            mine.get_cookie("session").value)["_user_id"]
    kind, secret = key.split(":")
    row = row_of(world.customer)
    assert kind == "customer" and row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {row.token_hash, row.user_agent}
    # Someone who read the table (and knows SECRET_KEY) still can't log in with what is there.
    for forged in (f"customer:{row.token_hash}", f"customer:{world.customer.id}:0",
                   f"staff:{secret}", f"customer:{secret[:-2]}"):
        forger = browser(app, "10.6.6.6")
        with forger.session_transaction() as session:
            session["_user_id"] = forged
        assert_logged_out(forger)
    assert mine.get("/bookings").status_code == 200


def test_logging_in_prunes_expired_sessions(app, world):
    logged_in(app, world.other.email)
    logged_in(app, world.admin.email)
    age(world.other, idle=timedelta(hours=1))
    age(world.admin, since_login=timedelta(days=1))
    logged_in(app, world.customer.email)
    assert [(r.customer_id, r.staff_id) for r in LoginSession.select()] == [
        (world.customer.id, None)]


def test_a_session_records_who_and_which_browser(app, world):
    client = browser(app)
    client.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 " + "x" * 300
    assert log_in(client, world.fw.email).status_code == 302
    row = row_of(world.fw)
    assert (row.staff_id, row.customer_id, row.epoch) == (world.fw.id, None,
                                                         Staff.get_by_id(world.fw.id).session_epoch)
    assert row.user_agent.startswith("Mozilla/5.0 ") and len(row.user_agent) == 200
