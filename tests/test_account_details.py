"""A customer's own account: contact details (audited, validated, nothing saved on error) and
changing the password, which ends every other session but this one."""
import pytest

from portal.accounts.models import AccountToken
from portal.audit import AuditEvent
from portal.people import Customer, authenticate
from tests.account_helpers import (NEW_PASSWORD, _push_request_context, browser,  # noqa: F401
                                   log_in, page, reset_path)
from tests.conftest import csrf_from


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
    ({"email": "other@example.com", "current_password": "demo"},
     "other@example.com already belongs to an account."),
    ({"email": "OTHER@Example.com", "current_password": "demo"},
     "other@example.com already belongs to an account."),
    ({"email": "fw@example.com", "current_password": "demo"},
     "fw@example.com already belongs to an account."),
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


def test_changing_the_email_needs_the_password_and_moves_the_login(app, world):
    client = customer_browser(app, world)
    old_link = reset_path(world.customer)
    response = save(client, email="Casey.New@Example.com", current_password="demo")
    assert response.status_code == 302
    assert stored(world.customer)[1] == "casey.new@example.com"
    assert authenticate("casey.new@example.com", "demo").id == world.customer.id
    assert authenticate("customer@example.com", "demo") is None
    # A reset link mailed to the old address no longer reaches the account.
    assert browser(app).get(old_link).status_code == 410
    assert AccountToken.get().used_at is not None


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
