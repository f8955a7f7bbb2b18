"""Security headers on representative answers: public and logged-in pages, email-link and
account-link pages, the API, error pages (404, 429, a real 500), and static files.

The browser side (the policy really holds, htmx works under it, framing is refused) is in
tests/browser/test_csp.py; this file pins the exact header values.
"""
import re

import pytest

from portal.accounts.models import INVITE
from portal.accounts.tokens import issue
from portal.bookings.links import make_token
from portal.integrations import manage, tokens
from portal.kernel.actors import SYSTEM
from portal.kernel.clock import utcnow
from portal.web.app.security_headers import CSP, EMAIL_PREVIEW_CSP
from tests.support.forms import csrf_from, login

STRICT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def _as(client, email, url):
    login(client, email)
    return client.get(url)


def _link(app, world, purpose="view"):
    token = make_token(app.config["SECRET_KEY"], purpose, world.upcoming)
    return f"/l/{token}" if purpose == "view" else f"/l/{token}/{purpose}"


def _too_many(client, app, world, monkeypatch):
    monkeypatch.setitem(app.config, "LINK_RATE_LIMIT", "2 per minute")
    url = _link(app, world)
    for _ in range(2):
        assert client.get(url).status_code == 200
    return client.get(url)


def _server_error(client, app, world, monkeypatch, request):
    request.getfixturevalue("notifications_fail")
    booking_page = _as(client, world.customer.email, f"/bookings/{world.upcoming.ref}")
    return client.post(f"/bookings/{world.upcoming.ref}/cancel",
                       data={"csrf_token": csrf_from(booking_page.get_data(as_text=True)),
                             "version": world.upcoming.version, "note": "x"})


def _api(client, app, world, monkeypatch, request):
    integration = manage.add_integration(SYSTEM, name="Praktika", kind="pms")
    raw = tokens.create_token(integration.id, [tokens.READ], SYSTEM)[1]
    return client.get("/api/v1/bookings", headers={"Authorization": f"Bearer {raw}"})


def _invite(client, app, world, monkeypatch, request):
    token, _ = issue(world.other, INVITE, utcnow())
    return client.get(f"/account/invite/{token}")


def _signing_secret(client, app, world, monkeypatch, request):
    integration = manage.add_integration(SYSTEM, name="Praktika", kind="pms")
    response = _as(client, world.admin.email, f"/admin/integrations/{integration.id}")
    assert integration.secret in response.get_data(as_text=True)  # the page that shows it
    return response


# name -> (how to get the answer, status, logged in or token in URL, a password/token page)
PAGES = {
    "login": (lambda c, a, w, m, r: c.get("/login"), 200, False, True),
    "customer book page": (lambda c, a, w, m, r: _as(c, w.customer.email, "/book"),
                           200, True, False),
    "customer booking": (lambda c, a, w, m, r: _as(c, w.customer.email,
                                                   f"/bookings/{w.upcoming.ref}"),
                         200, True, False),
    "customer account": (lambda c, a, w, m, r: _as(c, w.customer.email, "/account"),
                         200, True, True),
    "admin bookings": (lambda c, a, w, m, r: _as(c, w.admin.email, "/admin/bookings"),
                       200, True, False),
    "admin reports": (lambda c, a, w, m, r: _as(c, w.admin.email,
                                                "/admin/reports/cancellations"),
                      200, True, False),
    "signing secret": (_signing_secret, 200, True, False),
    "fieldworker badge": (lambda c, a, w, m, r: _as(c, w.fw.email,
                                                    "/fieldworker/notifications/badge"),
                          200, True, False),
    "signed link": (lambda c, a, w, m, r: c.get(_link(a, w)), 200, True, True),
    "signed cancel link": (lambda c, a, w, m, r: c.get(_link(a, w, "cancel")), 200, True, True),
    "bad signed link": (lambda c, a, w, m, r: c.get("/l/not-a-token"), 404, True, True),
    "invitation": (_invite, 200, True, True),
    "forgot password": (lambda c, a, w, m, r: c.get("/forgot-password"), 200, False, True),
    "api": (_api, 200, True, False),
    "api problem": (lambda c, a, w, m, r: c.get("/api/v1/bookings"), 401, True, False),
    "not found": (lambda c, a, w, m, r: c.get("/no/such/page"), 404, False, False),
    "too many": (lambda c, a, w, m, r: _too_many(c, a, w, m), 429, True, True),
    "server error": (_server_error, 500, True, False),
}


@pytest.fixture(params=list(PAGES))
def answer(request, client, app, world, monkeypatch):
    """(name, response) for one representative page."""
    fetch, status, _, _ = PAGES[request.param]
    response = fetch(client, app, world, monkeypatch, request)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return request.param, response


def test_the_policy_constant_is_the_strict_one():
    assert CSP == STRICT_CSP
    assert "unsafe" not in CSP


def test_content_security_policy(answer):
    _, response = answer
    assert response.headers["Content-Security-Policy"] == STRICT_CSP


def test_nosniff(answer):
    assert answer[1].headers["X-Content-Type-Options"] == "nosniff"


def test_no_framing(answer):
    assert answer[1].headers["X-Frame-Options"] == "DENY"


def test_referrer_policy(answer):
    name, response = answer
    token_page = PAGES[name][3]
    # Token and password pages send only our origin (never the path); elsewhere the full
    # Referer goes to us alone.
    assert response.headers["Referrer-Policy"] == ("strict-origin" if token_page
                                                   else "same-origin")


def test_opener_policy(answer):
    assert answer[1].headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_permissions_policy(answer):
    assert answer[1].headers["Permissions-Policy"] == (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()")


def test_no_hsts_while_cookies_may_travel_over_http(answer):
    assert "Strict-Transport-Security" not in answer[1].headers


@pytest.mark.parametrize("url", ["/login", "/forgot-password", "/no/such/page",
                                 "/static/app.css"])
def test_hsts_when_session_cookies_are_secure(client, app, monkeypatch, url):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    response = client.get(url, base_url="https://localhost")
    expected = None if url.startswith("/static/") else "max-age=31536000; includeSubDomains"
    assert response.headers.get("Strict-Transport-Security") == expected


def test_hsts_on_a_logged_in_page_over_https(client, app, world, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    page = client.get("/login", base_url="https://localhost")
    response = client.post("/login", base_url="https://localhost",
                           headers={"Referer": "https://localhost/"},
                           data={"email": world.admin.email, "password": "demo",
                                 "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]
    admin = client.get("/admin/bookings", base_url="https://localhost")
    assert admin.status_code == 200
    assert admin.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_personal_answers_are_never_stored(answer):
    name, response = answer
    personal = PAGES[name][2]
    cache = response.headers.get("Cache-Control")
    if personal:
        assert cache == "no-store"
    else:
        assert cache is None


def test_pages_vary_by_cookie(answer):
    assert "Cookie" in answer[1].headers["Vary"]


def test_a_new_api_token_page_is_never_stored(client, world):
    integration = manage.add_integration(SYSTEM, name="Praktika", kind="pms")
    url = f"/admin/integrations/{integration.id}/tokens"
    page = _as(client, world.admin.email, url)
    response = client.post(url, data={"scopes": [tokens.READ],
                                      "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 200
    made = tokens.tokens_for(integration.id)[0]
    shown = re.search(re.escape(made.prefix) + r"[A-Za-z0-9_-]{20,}",
                      response.get_data(as_text=True))
    assert shown and tokens.hash_token(shown.group(0)) == made.token_hash  # the live token
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Security-Policy"] == STRICT_CSP


def test_the_signing_secret_page_after_a_rotation_is_never_stored(client, world):
    integration = manage.add_integration(SYSTEM, name="Praktika", kind="pms")
    page = _as(client, world.admin.email, f"/admin/integrations/{integration.id}")
    response = client.post(f"/admin/integrations/{integration.id}/rotate", follow_redirects=True,
                           data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                 "confirmed": "yes"})
    assert "New signing secret made" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("as_admin", [False, True])
def test_static_files_keep_their_own_caching(client, world, as_admin):
    if as_admin:
        login(client, world.admin.email)
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "Content-Security-Policy" not in response.headers


def test_the_email_preview_has_a_sandboxed_policy_of_its_own(client, world):
    from portal.messaging.models import OutboxMessage
    message = OutboxMessage.create(dedupe_key="preview-1", to_address=world.customer.email,
                                   subject="Confirmed", body_text="Hello",
                                   body_html='<p style="color: red">Hello</p>')
    page = _as(client, world.admin.email, f"/admin/emails/{message.id}")
    frame_url = f"/admin/emails/{message.id}/html"
    assert f'src="{frame_url}"' in page.get_data(as_text=True)
    assert "srcdoc" not in page.get_data(as_text=True)
    assert page.headers["Content-Security-Policy"] == STRICT_CSP

    framed = client.get(frame_url)
    assert framed.get_data(as_text=True) == '<p style="color: red">Hello</p>'
    assert framed.headers["Content-Security-Policy"] == EMAIL_PREVIEW_CSP == (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
        "form-action 'none'; sandbox; frame-ancestors 'self'")
    assert framed.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert framed.headers["Cache-Control"] == "no-store"


def test_a_token_page_form_still_posts_over_https(client, app, world, monkeypatch):
    """Why strict-origin and not no-referrer: over HTTPS Flask-WTF refuses a POST without a
    same-origin Referer. strict-origin sends just "https://host/", which it accepts."""
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    https = {"base_url": "https://localhost"}
    page = client.get("/login", **https)
    form = {"email": world.customer.email, "password": "demo",
            "csrf_token": csrf_from(page.get_data(as_text=True))}
    refused = client.post("/login", data=form, **https)  # what no-referrer would send
    assert refused.status_code == 400
    assert "security token" in refused.get_data(as_text=True)
    accepted = client.post("/login", data=form, headers={"Referer": "https://localhost/"},
                           **https)
    assert accepted.status_code == 302
