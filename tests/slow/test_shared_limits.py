"""Limits that hold across processes: counted in the database, not in a server's memory.

The process tests run a real gunicorn with three worker processes against the test database
and send the requests at once from many threads, so they land on different workers; with
per-process counts (Flask-Limiter's memory storage, before) each limit let through up to three
times its number. Also here: the moving window itself, client addresses behind a proxy
(TRUSTED_PROXIES), and the 503 answer when the database is out of reach.
"""
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
import requests
from peewee import InterfaceError, OperationalError, PostgresqlDatabase, SqliteDatabase

from portal.bookings.links import make_token
from portal.kernel import ratelimit
from portal.kernel.ratelimit import Rate, RateLimitHit
from portal.messaging.models import OutboxMessage
from portal.web.app.errors import database_unreachable
from tests.support.account_helpers import _push_request_context, browser, log_in  # noqa: F401
from tests.support.api_support import integration, token_for
from tests.support.forms import csrf_from
from tests.support.servers import Browser, app_env, app_server, free_port

T0 = datetime(2030, 1, 7, 9, 0, 0)
WORKERS = 3
ADDRESS_LIMITED = "Too many failed login attempts for your network address."


# The moving window, without servers ----------------------------------------------------------

def test_a_moving_window_frees_one_slot_as_each_hit_ages_out(app):
    rate = Rate.parse("3 per 10 minutes")
    assert [ratelimit.hit("t", "k", rate, T0 + timedelta(minutes=m)).allowed
            for m in (0, 1, 2, 3)] == [True, True, True, False]
    refused = ratelimit.hit("t", "k", rate, T0 + timedelta(minutes=3))
    assert refused.retry_after == 7 * 60 and refused.refused == "t"
    assert ratelimit.wait("t", "k", rate, T0 + timedelta(minutes=9, seconds=59)) == 1
    assert ratelimit.test("t", "k", rate, T0 + timedelta(minutes=10))
    assert ratelimit.hit("t", "k", rate, T0 + timedelta(minutes=10)).allowed
    assert not ratelimit.test("t", "k", rate, T0 + timedelta(minutes=10, seconds=30))
    assert ratelimit.test("t", "other", rate, T0 + timedelta(minutes=3))  # keys are apart
    assert ratelimit.test("u", "k", rate, T0 + timedelta(minutes=3))  # and scopes
    ratelimit.clear("t", "k")
    assert ratelimit.test("t", "k", rate, T0 + timedelta(minutes=3))


def test_refused_hits_are_not_recorded_and_several_limits_are_all_or_nothing(app):
    small, big = Rate.parse("1 per hour"), Rate.parse("10 per hour")
    assert ratelimit.hit_all([("a", "x", small), ("b", "y", big)], T0).allowed
    verdict = ratelimit.hit_all([("b", "y", big), ("a", "x", small)], T0)
    assert (verdict.allowed, verdict.refused, verdict.retry_after) == (False, "a", 3600)
    assert RateLimitHit.select().count() == 2  # the refused pair left no row in "b"
    ratelimit.release(ratelimit.hit("b", "y", big, T0).hit_ids)
    assert RateLimitHit.select().where(RateLimitHit.scope == "b").count() == 1


def test_expired_rows_are_swept_and_long_keys_fit(app):
    rate = Rate.parse("2 per minute")
    long_key = "x" * 500 + "@example.com"
    assert ratelimit.hit("t", long_key, rate, T0).allowed
    assert ratelimit.hit("t", long_key, rate, T0).allowed
    assert not ratelimit.test("t", long_key, rate, T0)
    assert ratelimit.prune(T0 + timedelta(seconds=59)) == 0
    assert ratelimit.prune(T0 + timedelta(minutes=1)) == 2
    assert RateLimitHit.select().count() == 0


@pytest.mark.parametrize("text, rate", [("5 per 15 minutes", (5, 900)), ("3 per hour", (3, 3600)),
                                        ("300/minute", (300, 60)), ("2 per 2 seconds", (2, 2)),
                                        ("1 per day", (1, 86400))])
def test_rates_read_as_the_settings_write_them(text, rate):
    assert Rate.parse(text) == Rate(*rate)


@pytest.mark.parametrize("text", ["", "five per minute", "0 per minute", "3 per fortnight"])
def test_a_misspelt_rate_says_how_to_write_one(text):
    with pytest.raises(ValueError, match="reads like '5 per 15 minutes'"):
        Rate.parse(text)


# Across server processes ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(app, database_url, tmp_path_factory):
    """Gunicorn with several workers on the test database, small limits, one proxy trusted."""
    env = app_env(database_url, TRUSTED_PROXIES=1, API_RATE_LIMIT="10 per minute",
                  LINK_RATE_LIMIT="5 per minute", FORGOT_PASSWORD_MIN_SECONDS="0")
    with app_server(env, WORKERS, tmp_path_factory.mktemp("shared-limits")) as url:
        yield url


def at_once(count, prepare, act):
    """`prepare(i)` in each of `count` threads, then all `act(i, prepared)` together."""
    barrier = threading.Barrier(count)

    def run(i):
        prepared = prepare(i)
        barrier.wait(60)
        return act(i, prepared)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


@pytest.mark.slow
def test_guesses_sent_at_once_to_every_worker_check_five_passwords(server, world):
    email = world.customer.email

    def prepare(i):
        client = Browser(server)
        return client, client.token()

    answers = at_once(12, prepare, lambda i, p: p[0].log_in(email, "not it", p[1]))
    assert Counter(a.status_code for a in answers) == {422: 5, 429: 7}
    right = Browser(server, "203.0.113.77")
    response = right.log_in(email)  # the right password, from a fresh address
    assert response.status_code == 429 and "for this account" in response.text
    assert 890 <= int(response.headers["Retry-After"]) <= 900
    assert right.get("/bookings").status_code == 302  # not logged in


@pytest.mark.slow
def test_reset_emails_stop_at_three_an_hour_for_an_account(server, world):
    def prepare(i):
        client = Browser(server, f"198.51.100.{i + 1}")  # each its own address (via the proxy)
        return client, client.token("/forgot-password")

    answers = at_once(10, prepare, lambda i, p: p[0].post(
        "/forgot-password", {"email": world.customer.email, "csrf_token": p[1]}))
    assert [a.status_code for a in answers] == [200] * 10
    assert OutboxMessage.select().count() == 3


@pytest.mark.slow
def test_email_links_stop_at_the_link_limit_for_an_address(server, world):
    path = "/l/" + make_token("test-secret", "view", world.upcoming)
    answers = at_once(15, lambda i: Browser(server), lambda i, client: client.get(path))
    assert Counter(a.status_code for a in answers) == {200: 5, 429: 10}
    refused = next(a for a in answers if a.status_code == 429)
    assert "Too many tries" in refused.text and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert Browser(server, "192.0.2.50").get(path).status_code == 200  # another address


@pytest.mark.slow
def test_an_api_token_gets_exactly_its_limit(server, world):
    token = token_for(integration())
    path = f"/api/v1/bookings/{world.upcoming.ref}"
    headers = {"Authorization": f"Bearer {token}"}
    answers = at_once(30, lambda i: Browser(server),
                      lambda i, client: client.get(path, headers=headers))
    assert Counter(a.status_code for a in answers) == {200: 10, 429: 20}
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "rate_limited" and int(refused.headers["Retry-After"]) >= 1
    other = token_for(integration("Other PMS"))
    assert Browser(server).get(path, headers={"Authorization": f"Bearer {other}"}
                               ).status_code == 200


# Client addresses behind a reverse proxy -----------------------------------------------------

def _misses_then_other(app, trusted, spoof_each_time=False):
    """Three misses from one client behind the proxy 10.0.0.1, then the right password from
    another client behind it: the second client's answer."""
    app.config.update(TRUSTED_PROXIES=trusted, LOGIN_LIMIT_PER_ADDRESS="3 per 15 minutes")
    try:
        first = browser(app, "10.0.0.1")
        for i in range(3):
            forwarded = f"203.0.113.{i + 10}" if spoof_each_time else "203.0.113.5"
            first.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded
            assert log_in(first, f"guess{i}@example.com", "nope").status_code == 422
        second = browser(app, "10.0.0.1")
        second.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.6"
        return log_in(second, "customer@example.com")
    finally:
        app.config.pop("TRUSTED_PROXIES")
        app.config.pop("LOGIN_LIMIT_PER_ADDRESS")


def test_behind_one_trusted_proxy_clients_are_counted_apart(app, world):
    assert _misses_then_other(app, 1).status_code == 302


@pytest.mark.parametrize("spoof_each_time", [False, True])
def test_with_no_trusted_proxy_the_forwarded_header_is_ignored(app, world, spoof_each_time):
    response = _misses_then_other(app, 0, spoof_each_time)
    assert response.status_code == 429
    assert ADDRESS_LIMITED in response.get_data(as_text=True)


# When the database is out of reach -----------------------------------------------------------

UNREACHABLE = {
    "postgres": lambda tmp: f"postgresql://rebook@127.0.0.1:{free_port()}/rebook",
    "sqlite": lambda tmp: f"sqlite:///{tmp / 'no-such-folder' / 'rebook.db'}",
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(UNREACHABLE))
def test_with_the_database_unreachable_logins_are_a_503_and_nobody_is_let_in(
        app, world, kind, tmp_path):
    # A login form (and its session cookie) from a working server with the same SECRET_KEY.
    form = app.test_client()
    token = csrf_from(form.get("/login").get_data(as_text=True))
    cookie = form.get_cookie("session").value
    with app_server(app_env(UNREACHABLE[kind](tmp_path)), 1, tmp_path) as url:
        answer = requests.post(url + "/login", data={
            "email": world.customer.email, "password": "demo", "csrf_token": token},
            cookies={"session": cookie}, allow_redirects=False, timeout=30)
        page = requests.get(url + "/bookings", cookies={"session": cookie}, timeout=30)
        api = requests.get(url + "/api/v1/bookings", timeout=30,
                           headers={"Authorization": "Bearer rbk_whatever"})
    assert answer.status_code == 503, answer.text
    assert ("We can't check sign-ins right now; nothing was changed. Please try again in a "
            "minute.") in answer.text.replace("&#39;", "'")
    assert answer.headers["Retry-After"] == "60"
    session = app.session_interface.get_signing_serializer(app).loads(
        answer.cookies.get("session", cookie))
    assert "_user_id" not in session
    assert page.status_code == 503 and "We can&#39;t reach our records right now" in page.text
    assert api.status_code == 503 and api.json()["code"] == "unavailable"


def _error_from(action):
    try:
        action()
    except (OperationalError, InterfaceError) as exc:
        return exc
    raise AssertionError("no database error")


def test_only_a_database_out_of_reach_is_a_503_a_wrong_query_stays_a_500(tmp_path):
    dead_pg = PostgresqlDatabase("rebook", host="127.0.0.1", port=free_port(), user="rebook")
    no_file = SqliteDatabase(str(tmp_path / "missing" / "rebook.db"))
    fine = SqliteDatabase(str(tmp_path / "here.db"))
    assert database_unreachable(_error_from(dead_pg.connect))
    assert database_unreachable(_error_from(lambda: no_file.execute_sql("SELECT 1")))
    assert not database_unreachable(_error_from(lambda: fine.execute_sql("SELECT * FROM nope")))
    fine.close()
