"""Forgot password: the same answer for every address, a reset link that arrives by SMTP and
works once, and other sessions ended by the new password."""
import re
import time
from datetime import timedelta

from portal.accounts.models import AccountToken
from portal.audit import AuditEvent
from portal.kernel.clock import utcnow
from portal.messaging.models import OutboxMessage
from portal.people import Customer, authenticate
from tests.support.account_helpers import (NEW_PASSWORD, _push_request_context, browser, deliver,
                                           facts, invite_path, link_in, log_in, new_customer, page,
                                           reset_path, submit_password)
from tests.support.forms import csrf_from

TOKEN_RE = re.compile(r'(name="csrf_token"[^>]*value="|"X-CSRFToken": ")[^"]+')


def ask(client, email):
    form = page(client, "/forgot-password").get_data(as_text=True)
    return client.post("/forgot-password", data={"email": email, "csrf_token": csrf_from(form)})


def answer(response):
    """The page as a person sees it (the per-session CSRF token aside)."""
    return response.status_code, TOKEN_RE.sub(r"\1", response.get_data(as_text=True))


def test_the_login_page_links_to_forgot_password(client, world):
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/forgot-password"' in html and "Forgot password?" in html


def test_the_answer_is_the_same_whether_or_not_the_email_has_an_account(app, world):
    answers = {email: answer(ask(app.test_client(), email)) for email in (
        "customer@example.com", "nobody@example.com", "admin@example.com",
        "CUSTOMER@Example.com")}
    assert len(set(answers.values())) == 1, answers
    status, html = answers["nobody@example.com"]
    assert status == 200
    assert "If an account uses that email address, we've sent it a link" in html
    # Only the customer gets mail (staff passwords are an admin's business), once per ask.
    assert [m.to_address for m in OutboxMessage.select()] == ["customer@example.com"] * 2
    assert AccountToken.select().count() == 2


def test_the_answer_takes_as_long_either_way(app, world):
    """Only a known address writes a token and an email; the answer's fixed minimum time
    (FORGOT_PASSWORD_MIN_SECONDS, 0.25 s) hides that, whichever comes first."""
    client = browser(app)
    for email in ("customer@example.com", "nobody@example.com", "customer@example.com"):
        form = csrf_from(page(client, "/forgot-password").get_data(as_text=True))
        started = time.monotonic()
        response = client.post("/forgot-password", data={"email": email, "csrf_token": form})
        assert response.status_code == 200 and time.monotonic() - started >= 0.25, email


def test_the_reset_link_arrives_by_smtp_and_ends_every_other_session(app, world, smtp):
    phone, laptop = app.test_client(), app.test_client()
    assert log_in(phone, world.customer.email).status_code == 302
    assert phone.get("/bookings").status_code == 200

    assert ask(laptop, world.customer.email).status_code == 200
    assert deliver() == (1, 0)
    [message] = smtp.parsed()
    assert message["To"] == world.customer.email and "Reset your password" in message["Subject"]
    path = link_in(message.get_body(("plain",)).get_content())
    assert path.startswith("/account/reset/")

    response = submit_password(laptop, path)
    assert response.status_code == 302 and response.headers["Location"] == "/bookings"
    assert laptop.get("/bookings").status_code == 200
    assert phone.get("/bookings").status_code == 302  # the old session has ended
    assert authenticate(world.customer.email, "demo") is None
    assert authenticate(world.customer.email, NEW_PASSWORD).id == world.customer.id
    event = AuditEvent.get(AuditEvent.subject_type == "customer")
    assert (event.action, event.channel) == ("password_reset", "email_link")
    assert app.test_client().get(path).status_code == 410  # used up


def test_a_reset_link_expires_after_an_hour(client, world):
    old = reset_path(world.customer, now=utcnow() - timedelta(hours=1, seconds=1))
    recent = reset_path(world.customer, now=utcnow() - timedelta(minutes=55))
    before = facts(world.customer)
    response = submit_password(client, old, form_page=page(client, recent).get_data(
        as_text=True))
    assert response.status_code == 410
    assert "This link has expired." in response.get_data(as_text=True)
    assert facts(world.customer) == before
    assert submit_password(client, recent).status_code == 302


def test_an_unknown_or_malformed_address_sends_nothing(client, world):
    for email in ("nobody@example.com", "not an email", "x" * 300 + "@example.com", ""):
        assert ask(client, email).status_code == 200
    assert OutboxMessage.select().count() == 0


def test_forgot_password_is_rate_limited_per_address(app, world):
    client = app.test_client()
    for _ in range(5):
        assert ask(client, "nobody@example.com").status_code == 200
    response = ask(client, world.customer.email)
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Too many reset requests from your network address. Try again in 15 minutes." in html
    assert OutboxMessage.select().count() == 0
    other = browser(app, "10.0.0.9")
    assert ask(other, world.customer.email).status_code == 200
    assert OutboxMessage.select().count() == 1


def test_one_account_gets_at_most_three_reset_emails_an_hour(app, world):
    for i in range(5):
        client = browser(app, f"10.0.1.{i}")
        assert answer(ask(client, world.customer.email))[0] == 200
    assert OutboxMessage.select().count() == 3


def test_a_reset_lifts_the_login_lock_on_the_account(app, world):
    client = app.test_client()
    for _ in range(5):
        assert log_in(client, world.customer.email, "wrong guess").status_code == 422
    assert log_in(client, world.customer.email).status_code == 429
    assert submit_password(client, reset_path(world.customer)).status_code == 302
    fresh = app.test_client()
    assert log_in(fresh, world.customer.email, NEW_PASSWORD).status_code == 302


def test_an_invitation_does_not_open_the_reset_page(client, world):
    customer = new_customer()
    token = invite_path(customer).rsplit("/", 1)[1]
    assert client.get(f"/account/reset/{token}").status_code == 404
    assert Customer.get_by_id(customer.id).password_hash == ""
