"""Invitations: a customer staff created sets a password through a signed, expiring,
single-use link that arrives by real SMTP; every other use of the link is refused."""
import threading
from datetime import timedelta

from portal.accounts.models import AccountToken
from portal.audit import AuditEvent
from portal.kernel.clock import utcnow
from portal.people import Customer, authenticate
from tests.support.account_helpers import (NEW_PASSWORD, _push_request_context, deliver, facts,
                                           invite_path, link_in, new_customer, page, reset_path,
                                           submit_password)
from tests.support.forms import csrf_from, login


def test_invitation_arrives_by_smtp_and_its_link_sets_the_password(app, client, world, smtp):
    customer = new_customer()
    invite_path(customer)
    assert deliver() == (1, 0)

    [message] = smtp.parsed()
    assert message["To"] == customer.email
    assert message["Subject"] == "Set your password for Sparkle & Co. Cleaning"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    path = link_in(text)
    assert f'href="http://localhost{path}"' in html and "works once" in text

    shown = client.get(path)
    assert shown.status_code == 200 and customer.email in shown.get_data(as_text=True)
    response = submit_password(client, path, form_page=shown.get_data(as_text=True))
    assert response.status_code == 302 and response.headers["Location"] == "/bookings"
    bookings = client.get("/bookings", follow_redirects=True).get_data(as_text=True)
    assert "Your password is set and you&#39;re logged in." in bookings

    assert authenticate(customer.email, NEW_PASSWORD).id == customer.id
    assert AccountToken.get().used_at is not None
    event = AuditEvent.get(AuditEvent.subject_type == "customer")
    assert (event.subject_id, event.action, event.channel, event.actor_kind) == (
        customer.id, "password_set_by_invitation", "email_link", "customer")


def test_opening_the_link_changes_nothing(client, world):
    customer = new_customer()
    path = invite_path(customer)
    before = facts(customer)
    for _ in range(3):  # mail scanners and previews open links
        assert client.get(path).status_code == 200
        assert client.head(path).status_code == 200
    assert facts(customer) == before
    assert submit_password(client, path).status_code == 302


def test_the_second_use_is_refused(app, world):
    customer = new_customer()
    path = invite_path(customer)
    first, second = app.test_client(), app.test_client()
    opened = page(second, path).get_data(as_text=True)  # opened in two browsers
    assert submit_password(first, path).status_code == 302
    before = facts(customer)

    response = submit_password(second, path, password="another password 2", form_page=opened)
    body = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "This link has already been used." in body and "Forgot password" in body
    assert "Nothing was changed." in body
    assert facts(customer) == before
    assert authenticate(customer.email, "another password 2") is None
    assert second.get("/bookings").status_code == 302  # not logged in
    assert second.get(path).status_code == 410


def test_an_expired_link_is_refused(client, world):
    customer = new_customer()
    path = invite_path(customer, now=utcnow() - timedelta(days=7, minutes=1))
    before = facts(customer)
    shown = client.get(path)
    assert shown.status_code == 410
    assert "This link has expired." in shown.get_data(as_text=True)
    fresh = client.get(invite_path(new_customer("x@example.com", "X"))).get_data(as_text=True)
    response = client.post(path, data={"csrf_token": csrf_from(fresh),
                                       "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 410
    assert facts(customer)[:2] == before[:2] and Customer.get_by_id(customer.id).password_hash == ""


def test_the_lifetime_is_a_setting(app, client, world):
    customer = new_customer()
    app.config["INVITE_LINK_HOURS"] = 2
    try:
        old = invite_path(customer, now=utcnow() - timedelta(hours=2, seconds=5))
        recent = invite_path(customer, now=utcnow() - timedelta(hours=1))
    finally:
        del app.config["INVITE_LINK_HOURS"]
    assert client.get(old).status_code == 410
    assert client.get(recent).status_code == 200


def test_tampered_and_wrong_purpose_links_are_not_found(client, world):
    customer = new_customer()
    path = invite_path(customer)
    token = path.rsplit("/", 1)[1]
    reset_token = reset_path(customer).rsplit("/", 1)[1]
    before = facts(customer)
    bad = [path[:-3] + ("abc" if not path.endswith("abc") else "xyz"),
           "/account/invite/not-a-token",
           f"/account/reset/{token}",          # an invitation is not a reset link
           f"/account/invite/{reset_token}"]   # nor the other way round
    good_page = client.get(path).get_data(as_text=True)
    for url in bad:
        shown = client.get(url)
        assert shown.status_code == 404, url
        assert "This link is not valid." in shown.get_data(as_text=True)
        response = client.post(url, data={"csrf_token": csrf_from(good_page),
                                          "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert response.status_code == 404, url
    assert facts(customer) == before


def test_password_rules_say_what_is_wrong_and_keep_the_link(client, world):
    customer = new_customer()
    path = invite_path(customer)
    before = facts(customer)
    cases = [("short one", None, "at least 10 characters"),
             ("x" * 129, None, "keep the password to 128 characters"),
             (customer.email.upper(), None, "Don&#39;t use your email address"),
             (NEW_PASSWORD, NEW_PASSWORD + "!", "The two passwords don&#39;t match")]
    for password, confirm, message in cases:
        response = submit_password(client, path, password, confirm)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
        assert facts(customer) == before
    assert submit_password(client, path, "x" * 128).status_code == 302  # the limits are inclusive


def test_a_post_without_csrf_changes_nothing(client, world):
    customer = new_customer()
    path = invite_path(customer)
    before = facts(customer)
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert facts(customer) == before


def test_setting_a_password_voids_the_customers_other_links(client, world):
    customer = new_customer()
    first, second = invite_path(customer), invite_path(customer)  # invited twice
    reset = reset_path(customer)
    assert submit_password(client, second).status_code == 302
    for path in (first, reset):
        assert client.get(path).status_code == 410


def test_the_invitation_logs_in_as_the_invited_customer_only(app, client, world):
    login(client, world.customer.email)
    path = invite_path(new_customer())
    assert submit_password(client, path).status_code == 302
    html = client.get("/bookings").get_data(as_text=True)
    assert "Log out Nina" in html and world.upcoming.ref not in html


RACERS = 4


def test_concurrent_submissions_of_one_link_exactly_one_wins(app, world):
    """Each racer opens the page in its own browser, then all press the button at once."""
    customer = new_customer()
    path = invite_path(customer)
    clients = [app.test_client() for _ in range(RACERS)]
    pages = [page(c, path).get_data(as_text=True) for c in clients]
    barrier, results = threading.Barrier(RACERS), [None] * RACERS

    def race(i):
        barrier.wait()
        results[i] = submit_password(clients[i], path, f"racer number {i}!", form_page=pages[i])

    threads = [threading.Thread(target=race, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(r.status_code for r in results)
    assert statuses == [302] + [410] * (RACERS - 1), statuses
    [winner] = [i for i, r in enumerate(results) if r.status_code == 302]
    for i, r in enumerate(results):
        if i != winner:
            assert "This link has already been used." in r.get_data(as_text=True)
    assert authenticate(customer.email, f"racer number {winner}!").id == customer.id
    assert Customer.get_by_id(customer.id).session_epoch == 1
    assert AuditEvent.select().where(AuditEvent.subject_type == "customer").count() == 1
    assert clients[winner].get("/bookings").status_code == 200
