"""A customer's own account: contact details (audited, validated, nothing saved on error), a
new email confirmed from the new address (the answer never says whether another account has
it), and changing the password, which ends every other session but this one. Wrong current
passwords count as failed logins."""
import re

import pytest

from portal.accounts.models import AccountToken
from portal.audit import AuditEvent
from portal.messaging.models import OutboxMessage
from portal.people import Customer, authenticate
from tests.support.account_helpers import (NEW_PASSWORD, _push_request_context, browser, log_in,
                                           page, reset_path)
from tests.support.forms import csrf_from

EMAIL_LINK_RE = re.compile(r"http://localhost(/account/email/[A-Za-z0-9_.\-]+)")


def customer_browser(app, world, address="127.0.0.1"):
    client = browser(app, address)
    assert log_in(client, world.customer.email).status_code == 302
    return client


def save(client, **changes):
    html = page(client, "/account").get_data(as_text=True)
    data = {"csrf_token": csrf_from(html), "name": "Casey Customer",
            "email": "customer@example.com", "phone": "", "address": "12 Maple Street",
            "current_password": ""}
    data.update(changes)
    return client.post("/account", data=data)


def stored(customer):
    row = Customer.get_by_id(customer.id)
    return (row.name, row.email, row.phone, row.address,
            AuditEvent.select().where(AuditEvent.subject_type == "customer").count())


def test_the_page_shows_my_details_and_is_mine_alone(app, world):
    html = page(customer_browser(app, world), "/account").get_data(as_text=True)
    assert 'value="Casey Customer"' in html and "12 Maple Street" in html
    assert 'value="customer@example.com"' in html
    assert browser(app).get("/account").status_code == 302  # log in first
    admin = browser(app)
    assert log_in(admin, world.admin.email).status_code == 302
    assert admin.get("/account").status_code == 403


def test_saving_details_is_audited(app, world):
    client = customer_browser(app, world)
    response = save(client, name="  Casey   Carter ", phone="(555) 010-9999",
                    address="14 Maple Street\r\nApt 2")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert "Your details are saved." in page(client, "/account").get_data(as_text=True)
    assert stored(world.customer)[:4] == ("Casey Carter", "customer@example.com",
                                          "(555) 010-9999", "14 Maple Street\nApt 2")
    event = AuditEvent.get(AuditEvent.subject_type == "customer")
    assert (event.subject_id, event.action, event.channel, event.actor_kind, event.actor_id) == (
        world.customer.id, "details_changed", "portal", "customer", world.customer.id)
    assert event.before_data == {"name": "Casey Customer", "phone": "",
                                 "address": "12 Maple Street"}
    assert event.after_data["phone"] == "(555) 010-9999"
    assert save(client, name="Casey Carter", phone="(555) 010-9999",
                address="14 Maple Street\nApt 2").status_code == 302
    assert stored(world.customer)[4] == 1  # nothing changed: no second event


@pytest.mark.parametrize("changes, field_message", [
    ({"phone": "call me"}, "Enter a phone number of"),
    ({"phone": "12345"}, "Enter a phone number of"),
    ({"phone": "5" * 41}, "Enter a phone number of"),
    ({"name": ""}, "Enter your name."),
    ({"name": "n" * 121}, "Please keep your name to 120 characters."),
    ({"address": "a" * 501}, "Please keep the address to 500 characters."),
    ({"email": "not-an-email"}, "Enter an email address like name@example.com."),
    ({"email": "new@example.com"}, "To change your email address, enter your current password."),
    ({"email": "new@example.com", "current_password": "wrong"},
     "To change your email address, enter your current password."),
])
def test_bad_details_save_nothing(app, world, changes, field_message):
    client = customer_browser(app, world)
    before = stored(world.customer)
    response = save(client, **{"name": "Changed Name", "phone": "555 010 1234", **changes})
    assert response.status_code == 422
    assert field_message in response.get_data(as_text=True).replace("&#39;", "'")
    assert stored(world.customer) == before


def mail_to(address):
    return [m for m in OutboxMessage.select().order_by(OutboxMessage.id) if m.to_address == address]


def confirm(client, path):
    return client.post(path, data={"csrf_token": csrf_from(page(client, path).get_data(
        as_text=True))})


def test_a_new_email_applies_only_once_the_link_to_it_is_opened(app, world):
    client = customer_browser(app, world)
    old_link = reset_path(world.customer)
    response = save(client, email="Casey.New@Example.com", current_password="demo")
    assert response.status_code == 302
    shown = page(client, "/account").get_data(as_text=True)
    assert "We sent a link to casey.new@example.com." in shown
    assert "log in with customer@example.com" in shown
    assert stored(world.customer)[1] == "customer@example.com"  # not yet
    assert authenticate("customer@example.com", "demo").id == world.customer.id
    [message] = mail_to("casey.new@example.com")
    path = EMAIL_LINK_RE.search(message.body_text).group(1)
    # Opening the link (a mail scanner does) shows what it would do and changes nothing.
    elsewhere = browser(app, "10.2.2.2")
    opened = elsewhere.get(path)
    assert opened.status_code == 200 and "casey.new@example.com" in opened.get_data(as_text=True)
    assert stored(world.customer)[1] == "customer@example.com"
    # Confirming works from any browser: the link proves the mailbox, the password the person.
    assert confirm(elsewhere, path).headers["Location"] == "/login"
    assert stored(world.customer)[1] == "casey.new@example.com"
    assert authenticate("casey.new@example.com", "demo").id == world.customer.id
    assert authenticate("customer@example.com", "demo") is None
    event = AuditEvent.get(AuditEvent.action == "details_changed")
    assert (event.channel, event.before_data, event.after_data) == (
        "email_link", {"email": "customer@example.com"}, {"email": "casey.new@example.com"})
    [notice] = [m for m in mail_to("customer@example.com") if "has changed" in m.subject]
    assert "is now casey.new@example.com" in notice.body_text
    # A reset link mailed to the old address no longer reaches the account; the link is used.
    assert browser(app).get(old_link).status_code == 410
    assert elsewhere.get(path).status_code == 410
    assert client.get("/bookings").status_code == 200  # still logged in here


def ask_for(app, email):
    """What a customer sees after asking to move their login to `email`."""
    client = browser(app)
    assert log_in(client, "customer@example.com").status_code == 302
    response = save(client, email=email, current_password="demo")
    shown = page(client, "/account").get_data(as_text=True)
    # The whole page, but for the address typed and this browser's CSRF token.
    shown = shown.replace(csrf_from(shown), "T")
    return (response.status_code, response.headers.get("Location"),
            shown.replace(email.lower(), "X"))


@pytest.mark.parametrize("taken", ["other@example.com", "OTHER@Example.com", "fw@example.com"])
def test_the_answer_is_the_same_for_a_free_and_a_taken_address(app, world, taken):
    before = stored(world.customer)
    free_answer = ask_for(app, "nobody.yet@example.com")
    taken_answer = ask_for(app, taken)
    assert free_answer == taken_answer
    assert free_answer[:2] == (302, "/account")
    # The free address gets a link; the taken one a note to its owner, and no link at all.
    assert EMAIL_LINK_RE.search(mail_to("nobody.yet@example.com")[0].body_text)
    [note] = mail_to(taken.lower())
    assert "already has its own account" in note.body_text
    assert not EMAIL_LINK_RE.search(note.body_text + note.body_html)
    assert stored(world.customer)[1] == before[1] == "customer@example.com"
    # The same work either way: one link row per request (the newest voids the older).
    assert AccountToken.select().where(AccountToken.purpose == "email").count() == 2
    assert AccountToken.select().where(AccountToken.used_at.is_null()).count() == 1


def test_an_address_taken_before_the_link_is_opened_is_refused(app, world):
    client = customer_browser(app, world)
    assert save(client, email="shared@example.com", current_password="demo").status_code == 302
    path = EMAIL_LINK_RE.search(mail_to("shared@example.com")[0].body_text).group(1)
    Customer.update(email="shared@example.com").where(Customer.id == world.other.id).execute()
    response = confirm(client, path)
    assert response.status_code == 409
    assert "now belongs to another account" in response.get_data(as_text=True)
    assert stored(world.customer)[1] == "customer@example.com"


def test_only_the_newest_email_link_works_and_a_forged_one_never(app, world):
    client = customer_browser(app, world)
    save(client, email="first@example.com", current_password="demo")
    save(client, email="second@example.com", current_password="demo")
    first = EMAIL_LINK_RE.search(mail_to("first@example.com")[0].body_text).group(1)
    second = EMAIL_LINK_RE.search(mail_to("second@example.com")[0].body_text).group(1)
    assert client.get(first).status_code == 410
    assert confirm(client, first).status_code == 410
    assert client.get(second[:-3] + "abc").status_code == 404  # tampered signature
    assert stored(world.customer)[1] == "customer@example.com"
    assert confirm(client, second).headers["Location"] == "/account"
    assert stored(world.customer)[1] == "second@example.com"


def test_guessing_the_password_on_the_details_page_counts_as_failed_logins(app, world):
    client = customer_browser(app, world)
    for _ in range(5):
        assert save(client, email="new@example.com", current_password="guess").status_code == 422
    response = save(client, email="new@example.com", current_password="demo")  # too late
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "Too many failed login attempts for this account." in response.get_data(as_text=True)
    assert not mail_to("new@example.com") and stored(world.customer)[1] == "customer@example.com"
    # The same count as the login form: the right password there is refused too.
    assert log_in(browser(app, "10.3.3.3"), world.customer.email).status_code == 429
    # Details that need no password still save.
    assert save(client, phone="555 010 7777").status_code == 302


def test_details_without_csrf_save_nothing(app, world):
    client = customer_browser(app, world)
    before = stored(world.customer)
    response = client.post("/account", data={"name": "Hacked", "email": "customer@example.com",
                                              "phone": "", "address": ""})
    assert response.status_code == 400
    assert stored(world.customer) == before


# Changing the password.

def change(client, current="demo", password=NEW_PASSWORD, confirm=None):
    html = page(client, "/account/password").get_data(as_text=True)
    return client.post("/account/password", data={
        "csrf_token": csrf_from(html), "current_password": current, "password": password,
        "confirm": password if confirm is None else confirm})


def test_changing_the_password_ends_other_sessions_but_not_this_one(app, world):
    here, elsewhere = customer_browser(app, world), customer_browser(app, world, "10.1.1.1")
    assert elsewhere.get("/bookings").status_code == 200
    response = change(here)
    assert response.status_code == 302
    assert "You were logged out everywhere else." in page(here, "/account").get_data(
        as_text=True)
    assert here.get("/bookings").status_code == 200
    assert elsewhere.get("/bookings").status_code == 302
    assert authenticate(world.customer.email, "demo") is None
    assert authenticate(world.customer.email, NEW_PASSWORD).id == world.customer.id
    event = AuditEvent.get(AuditEvent.subject_type == "customer")
    assert (event.action, event.channel) == ("password_changed", "portal")


@pytest.mark.parametrize("current, password, confirm, message", [
    ("wrong", NEW_PASSWORD, None, "That isn't your current password."),
    ("demo", "too short", None, "Choose a password of at least 10 characters."),
    ("demo", "y" * 129, None, "Please keep the password to 128 characters."),
    ("demo", "customer@example.com", None, "Don't use your email address as your password."),
    ("demo", NEW_PASSWORD, "something else", "The two passwords don't match."),
])
def test_a_refused_password_change_changes_nothing(app, world, current, password, confirm,
                                                    message):
    here, elsewhere = customer_browser(app, world), customer_browser(app, world, "10.1.1.1")
    before = Customer.get_by_id(world.customer.id)
    response = change(here, current, password, confirm)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    after = Customer.get_by_id(world.customer.id)
    assert (after.password_hash, after.session_epoch) == (before.password_hash,
                                                          before.session_epoch)
    assert elsewhere.get("/bookings").status_code == 200
    assert AuditEvent.select().where(AuditEvent.subject_type == "customer").count() == 0


def test_guessing_the_current_password_counts_as_failed_logins(app, world):
    client = customer_browser(app, world)
    for _ in range(5):
        assert change(client, current="guess").status_code == 422
    response = change(client)  # the right current password, too late
    assert response.status_code == 429
    assert "Too many failed login attempts for this account." in response.get_data(as_text=True)
    assert authenticate(world.customer.email, "demo").id == world.customer.id


def test_a_password_change_without_csrf_changes_nothing(app, world):
    client = customer_browser(app, world)
    before = Customer.get_by_id(world.customer.id).password_hash
    response = client.post("/account/password", data={
        "current_password": "demo", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert Customer.get_by_id(world.customer.id).password_hash == before
