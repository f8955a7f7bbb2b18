"""First-run setup in production mode, in the browser (/setup) and from `flask setup`.

An empty production database sends every page to /setup; the form names the business and
makes the first admin, once; bad input is refused field by field with nothing saved.
"""
import re

import pytest

from portal.audit import AuditEvent
from portal.people import Customer, Staff
from portal.settings import Settings
from tests.support.forms import csrf_from, login, logout
from tests.support.modes_support import GOOD_PASSWORD, production_mode, setup_fields
from tests.support.processes import run_together


@pytest.fixture
def production(app):
    with production_mode(app):
        yield app


def _post_setup(client, **changes):
    token = csrf_from(client.get("/setup").get_data(as_text=True))
    return client.post("/setup", data={**setup_fields(**changes), "csrf_token": token})


def _nothing_saved():
    assert Staff.select().count() == 0
    assert AuditEvent.select().count() == 0
    settings = Settings.current()
    assert (settings.business_name, settings.currency) == ("Sparkle & Co. Cleaning", "USD")


@pytest.mark.parametrize("path", ["/", "/login", "/bookings", "/admin/bookings",
                                  "/admin/settings/business", "/account", "/orders",
                                  "/api/v1/bookings", "/no-such-page"])
def test_an_empty_production_database_sends_every_page_to_setup(production, client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/setup"


def test_a_form_posted_before_setup_goes_to_setup_and_logs_nobody_in(production, client):
    token = csrf_from(client.get("/setup").get_data(as_text=True))
    response = client.post("/login", data={"email": "a@example.com", "password": "x" * 12,
                                           "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/setup"
    assert client.get("/static/app.css").status_code == 200  # the page can still be styled
    htmx = client.get("/admin/bookings", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"] == "/setup"


def test_the_setup_form_is_labelled_and_carries_a_csrf_token(production, client):
    page = client.get("/setup")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for field in ("business_name", "timezone", "currency", "name", "email", "password",
                  "confirm"):
        assert f'<label for="{field}">' in html and f'id="{field}" name="{field}"' in html
    assert csrf_from(html)
    assert '<option value="Europe/London"' in html and '<option value="GBP"' in html
    assert "<script" not in html.split("<main", 1)[1]  # a plain form: works without JS


def test_setup_names_the_business_makes_the_admin_and_never_runs_again(production, client):
    response = _post_setup(client, email="Pat@TidyHomes.example", currency="gbp")
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    admin = Staff.get()
    assert (admin.name, admin.email, admin.role, admin.active) == (
        "Pat Owner", "pat@tidyhomes.example", "admin", True)
    assert admin.check_password(GOOD_PASSWORD) and not admin.check_password("demo")
    settings = Settings.current()
    assert (settings.business_name, settings.timezone, settings.currency) == (
        "Tidy Homes Ltd", "Europe/London", "GBP")
    events = {e.action: e for e in AuditEvent.select()}
    assert set(events) == {"business_set_up", "staff_added"}
    assert events["business_set_up"].after_data == {
        "business_name": "Tidy Homes Ltd", "timezone": "Europe/London", "currency": "GBP"}
    assert events["staff_added"].after_data["email"] == "pat@tidyhomes.example"
    assert {e.actor_label for e in events.values()} == {"First-run setup (browser)"}

    assert "Log in as pat@tidyhomes.example" in client.get("/login").get_data(as_text=True)
    login(client, "pat@tidyhomes.example", GOOD_PASSWORD)
    assert "Tidy Homes Ltd" in client.get("/admin/bookings").get_data(as_text=True)
    # Never again: not by GET, not by a forged POST, not logged out.
    assert client.get("/setup").status_code == 404
    logout(client)
    assert client.get("/setup").status_code == 404
    token = csrf_from(client.get("/login").get_data(as_text=True))
    forged = client.post("/setup", data={**setup_fields(email="evil@example.com"),
                                         "csrf_token": token})
    assert forged.status_code == 404
    assert Staff.select().count() == 1


def test_setup_is_closed_once_anyone_is_on_staff(production, client, world):
    assert client.get("/setup").status_code == 404
    assert client.get("/login").status_code == 200


def test_demo_mode_has_no_setup_page_and_no_redirects(app, client):
    assert client.get("/setup").status_code == 404
    assert client.get("/login").status_code == 200


@pytest.mark.parametrize("changes, field, message", [
    ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Choose a timezone from the list"),
    ({"timezone": "../../etc/passwd"}, "timezone", "Choose a timezone from the list"),
    ({"timezone": ""}, "timezone", "Choose a timezone from the list"),
    ({"currency": "XYZ"}, "currency", "Choose a currency from the list"),
    ({"currency": "JPY"}, "currency", "Choose a currency from the list"),  # no cents
    ({"password": "short", "confirm": "short"}, "password", "at least 10 characters"),
    ({"password": "x" * 129, "confirm": "x" * 129}, "password", "to 128 characters"),
    ({"password": "pat@tidyhomes.example", "confirm": "pat@tidyhomes.example"}, "password",
     "Don't use your email address"),
    ({"confirm": "something else entirely"}, "confirm", "The two passwords don't match"),
    ({"business_name": "B" * 121}, "business_name", "to 120 characters"),
    ({"business_name": "   "}, "business_name", "Enter the business's name"),
    ({"name": "N" * 121}, "name", "to 120 characters"),
    ({"email": "not-an-address"}, "email", "Enter an email address like"),
    ({"email": "taken@example.com"}, "email", "already belongs to an account"),
])
def test_bad_input_is_refused_by_field_and_nothing_is_saved(production, client, changes,
                                                            field, message):
    Customer.create(name="Existing Customer", email="taken@example.com")
    response = _post_setup(client, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(rf'<small id="{field}-error" class="error">([^<]*)</small>', html)
    assert error and message in error.group(1).replace("&#39;", "'"), html
    assert 'aria-invalid="true"' in html
    _nothing_saved()


@pytest.mark.parametrize("field", ["business_name", "name", "email"])
@pytest.mark.parametrize("control", ["\x1b[31m", "\x07", "\x00"])
def test_control_characters_are_refused_and_nothing_is_saved(production, client, field,
                                                             control):
    value = setup_fields()[field]
    response = _post_setup(client, **{field: value[:3] + control + value[3:]})
    # The app-wide input guard answers before the form is read, naming the field.
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"“{field}” contains a control character" in html
    _nothing_saved()


def test_every_fault_is_shown_at_once(production, client):
    response = _post_setup(client, business_name="", timezone="Nowhere", currency="",
                           name="", email="x", password="short", confirm="short")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("business_name", "timezone", "currency", "name", "email", "password"):
        assert f'id="{field}-error"' in html
    assert 'value="short"' not in html  # passwords are never sent back
    _nothing_saved()


def test_setup_without_its_csrf_token_is_refused(production, client):
    response = client.post("/setup", data=setup_fields())
    assert response.status_code == 400
    _nothing_saved()


def test_two_people_sending_the_form_at_once_make_one_admin(production, database_url):
    racers = 4
    outcomes = run_together(
        _race_target(), racers, deadline=120,
        args_for=lambda i: (i, database_url, setup_fields(email=f"owner{i}@example.com",
                                                          business_name=f"Business {i}")))
    statuses = sorted(o["status"] for o in outcomes)
    assert statuses.count(303) == 1, outcomes
    assert set(statuses) <= {303, 404, 409}, outcomes
    winner = next(o for o in outcomes if o["status"] == 303)
    assert [s.email for s in Staff.select()] == [f"owner{winner['index']}@example.com"]
    assert Settings.current().business_name == f"Business {winner['index']}"
    assert AuditEvent.select().where(AuditEvent.action == "business_set_up").count() == 1
    losers = [o for o in outcomes if o["status"] == 409]
    assert all("already set up" in o["body"] for o in losers)


def _race_target():
    from tests.support.setup_race_worker import setup_when_released
    return setup_when_released
