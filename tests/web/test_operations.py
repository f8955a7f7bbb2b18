"""Operations inside the app: health checks, versioned static files and the favicon, one log
line per request (with a request id, never a token), .env loading and the PostgreSQL pool."""
import logging
import re

import pytest
from peewee import SqliteDatabase
from playhouse.pool import PooledPostgresqlDatabase

from portal.accounts.models import RESET
from portal.accounts.tokens import issue
from portal.bookings.links import make_token
from portal.bookings.models import Booking
from portal.kernel import config
from portal.kernel.clock import utcnow
from portal.kernel.db import POOL_SIZE, POOL_STALE_SECONDS, database, is_postgres
from portal.web.app.request_log import LogfmtFormatter
from tests.support.account_helpers import NEW_PASSWORD, _push_request_context, in_app  # noqa: F401
from tests.support.forms import csrf_from, login

STATIC_REF = re.compile(r'(?:href|src)="(/static/[^"]*)"')
YEAR = "max-age=31536000"


@pytest.mark.parametrize("path, body", [("/healthz", "ok\n"), ("/readyz", "ready\n")])
def test_health_checks_answer_without_login_session_or_cookie(app, client, path, body):
    response = client.get(path, headers={"Cookie": ""})
    assert (response.status_code, response.get_data(as_text=True)) == (200, body)
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert client.head(path).status_code == 200


def _pages(app, world):
    """(client, path) for a page of every kind: public, customer, admin, signed link, error."""
    customer, admin, anonymous = app.test_client(), app.test_client(), app.test_client()
    login(customer, world.customer.email)
    login(admin, world.admin.email)
    with in_app():
        link = make_token(app.config["SECRET_KEY"], "view", world.upcoming)
    return [(anonymous, "/login"), (anonymous, "/forgot-password"), (anonymous, "/nowhere"),
            (anonymous, f"/l/{link}"), (customer, "/bookings"),
            (customer, f"/bookings/{world.upcoming.ref}"), (admin, "/admin/bookings"),
            (admin, f"/admin/bookings/{world.upcoming.ref}")]


def test_every_pages_static_links_carry_their_version_and_are_cached_for_a_year(app, world):
    seen = set()
    for client, path in _pages(app, world):
        refs = STATIC_REF.findall(client.get(path).get_data(as_text=True))
        assert len(refs) >= 5, path  # icon, two stylesheets, two scripts
        for ref in refs:
            assert re.search(r"\?v=[0-9a-f]{12}$", ref), (path, ref)
        seen.update(refs)
    anonymous = app.test_client()
    for ref in seen:
        response = anonymous.get(ref)
        assert response.status_code == 200, ref
        assert response.headers["Cache-Control"] == f"public, {YEAR}, immutable", ref
        assert "Set-Cookie" not in response.headers
    css = next(ref for ref in seen if "/app.css" in ref)
    # Without the version, or with an old one, the file is revalidated as before.
    for stale in (css.split("?")[0], css.split("?")[0] + "?v=000000000000"):
        response = anonymous.get(stale)
        assert response.status_code == 200 and YEAR not in response.headers["Cache-Control"]


def test_the_favicon_is_linked_and_favicon_ico_answers(app, client):
    page = client.get("/login").get_data(as_text=True)
    assert re.search(r'<link rel="icon" href="/static/favicon\.svg\?v=[0-9a-f]{12}"', page)
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).startswith("<svg")


def request_lines(caplog):
    return [r for r in caplog.records if r.name == "rebook.request"]


def test_each_request_logs_one_line_with_id_route_status_and_time(app, client, world, caplog):
    caplog.set_level(logging.INFO, logger="rebook.request")
    response = client.get(f"/bookings/{world.upcoming.ref}")
    (record,) = request_lines(caplog)
    assert (record.method, record.route, record.status) == ("GET", "/bookings/<ref>", 302)
    assert record.levelname == "INFO" and record.duration_ms >= 0
    assert re.fullmatch(r"[0-9a-f]{16}", record.request_id)
    assert response.headers["X-Request-ID"] == record.request_id
    line = LogfmtFormatter().format(record)
    assert re.fullmatch(r"\S+Z level=INFO logger=rebook\.request request_id=[0-9a-f]{16} "
                        r"method=GET route=/bookings/<ref> status=302 duration_ms=[\d.]+", line)


@pytest.mark.parametrize("incoming, kept", [
    ("edge-7f3a.42_x", True), ("x" * 64, True),
    ("x" * 65, False), ("has space", False), ("semi;colon", False), ("", False)])
def test_an_incoming_request_id_is_kept_only_when_short_and_plain(app, client, caplog,
                                                                  incoming, kept):
    caplog.set_level(logging.INFO, logger="rebook.request")
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    (record,) = request_lines(caplog)
    assert response.headers["X-Request-ID"] == record.request_id
    assert (record.request_id == incoming) is kept
    if not kept:
        assert re.fullmatch(r"[0-9a-f]{16}", record.request_id)


def test_signed_link_and_reset_tokens_never_reach_any_log(app, world, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, every level: SQL included
    secret = app.config["SECRET_KEY"]
    with in_app():
        view, cancel = (make_token(secret, p, world.upcoming) for p in ("view", "cancel"))
        reset, _ = issue(world.customer, RESET, utcnow())
    link = app.test_client()
    page = link.get(f"/l/{cancel}/cancel").get_data(as_text=True)
    response = link.post(f"/l/{cancel}/cancel", data={
        "csrf_token": csrf_from(page), "version": world.upcoming.version})
    assert response.status_code == 302
    assert Booking.get_by_id(world.upcoming.id).status == "cancelled"
    assert link.get(f"/l/{view}").status_code == 200
    person = app.test_client()
    page = person.get(f"/account/reset/{reset}").get_data(as_text=True)
    response = person.post(f"/account/reset/{reset}", data={
        "csrf_token": csrf_from(page), "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert person.get(f"/account/reset/{reset}").status_code == 410  # used: the error path too

    text = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    for token in (view, cancel, reset):
        assert token not in text
    routes = [(r.method, r.route, r.status) for r in request_lines(caplog)]
    assert routes == [("GET", "/l/<token>/cancel", 200), ("POST", "/l/<token>/cancel", 302),
                      ("GET", "/l/<token>", 200), ("GET", "/account/reset/<token>", 200),
                      ("POST", "/account/reset/<token>", 302),
                      ("GET", "/account/reset/<token>", 410)]


def test_dotenv_fills_in_what_the_environment_does_not_set(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("DATABASE_POOL_SIZE=7\nLOG_LEVEL=warning\n"
                                   "BASE_URL=https://from-dotenv.example\n")
    monkeypatch.setattr(config, "ROOT", tmp_path)
    for name in ("DATABASE_POOL_SIZE", "LOG_LEVEL"):
        monkeypatch.setenv(name, "placeholder")  # recorded, so the fixture's undo removes it
        monkeypatch.delenv(name)
    monkeypatch.setenv("BASE_URL", "https://real-environment.example")
    settings = config.from_environment()
    assert settings["DATABASE_POOL_SIZE"] == 7 and settings["LOG_LEVEL"] == "WARNING"
    assert settings["BASE_URL"] == "https://real-environment.example"  # the environment wins


def test_postgresql_connections_are_pooled_and_sqlite_is_not(app, client):
    if not is_postgres():
        assert type(database.obj) is SqliteDatabase
        return
    pool = database.obj
    assert isinstance(pool, PooledPostgresqlDatabase)
    assert (pool._max_connections, pool._stale_timeout) == (POOL_SIZE, POOL_STALE_SECONDS)
    database.close()
    pool.close_idle()  # earlier tests (a live server's thread) may have left connections idle
    seen = set()
    for _ in range(3):
        assert client.get("/readyz").status_code == 200
        assert client.get("/login").status_code == 200
        assert database.is_closed() and not pool._in_use  # teardown handed it back
        seen.update(id(conn) for _, _, conn in pool._connections)
    assert len(seen) == 1  # one server connection, reused by every request
