"""One test per kind of bad input (issue 15): ids past what the database holds in URLs and
fields, NUL and control characters, years 0001 and 9999, oversized bodies. Each gets a 4xx that
says what was wrong, and nothing changes. tests/slow/test_fuzz_forms.py walks every form."""
import json

import pytest

from portal.kernel.input_limits import FIELD_MAX, MAX_ID
from tests.support.forms import csrf_from, login
from tests.support.fuzz_world import snapshot
from tests.support.pages import text


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replaces pytest-flask's: each request loads its user afresh, as in production."""


@pytest.fixture
def admin(app, world):
    client = app.test_client()
    login(client, world.admin.email)
    return client


def cancel_page(client, world):
    url = f"/admin/bookings/{world.upcoming.ref}/cancel"
    return url, csrf_from(client.get(url).get_data(as_text=True))


@pytest.mark.parametrize("value", [str(2**63), str(MAX_ID + 1), str(10**30), "0", "9" * 5000])
def test_an_id_past_what_the_database_holds_in_a_url_is_not_found(admin, value):
    before = snapshot()
    for url in (f"/admin/customers/{value}", f"/admin/services/{value}"):
        response = admin.get(url)
        assert response.status_code == 404
        assert "We couldn't find that page" in text(response)
    assert admin.post(f"/admin/staff/{value}/deactivate").status_code == 404
    assert snapshot() == before


def test_every_address_with_an_id_refuses_one_past_the_database(app, admin):
    """Every <int:...> route, every method: 2**63 is no such address (404), never a query."""
    before = snapshot()
    rules = [rule for rule in app.url_map.iter_rules()
             if any(type(c).__name__ == "IdConverter" for c in rule._converters.values())]
    assert len(rules) > 20
    for rule in rules:
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", str(2**63))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = admin.open(path, method=method)
            assert response.status_code == 404, (method, path)
    assert snapshot() == before


def test_the_largest_id_is_a_plain_miss(admin):
    assert admin.get(f"/admin/customers/{MAX_ID}").status_code == 404


def test_a_long_or_broken_path_segment_is_not_found(admin):
    assert admin.get("/admin/bookings/" + "B" * 600).status_code == 404
    assert admin.get("/admin/bookings/BK%00X").status_code == 404
    assert admin.get("/l/abc%01def").status_code == 404


@pytest.mark.parametrize("value", [str(2**63), "-1", "0", str(10**30)])
def test_a_huge_id_in_a_form_field_is_a_form_error(admin, world, value):
    url, token = cancel_page(admin, world)
    before = snapshot()
    response = admin.post(url, data={"csrf_token": token, "reason": value, "note": "x"})
    assert response.status_code == 422
    assert "Choose a reason from the list." in text(response)
    response = admin.post(url, data={"csrf_token": token, "version": value})
    # Version 0 is well formed, only stale: the booking changed since (409).
    assert response.status_code == (409 if value == "0" else 422)
    assert ("This booking changed since the page loaded" if value == "0"
            else "Reload the page and try again.") in text(response)
    assert snapshot() == before


@pytest.mark.parametrize("kind", ["application/x-www-form-urlencoded", "multipart/form-data"])
@pytest.mark.parametrize("field", ["note", "csrf_token\x00", "fee"])
def test_a_nul_in_a_text_field_is_refused_before_the_database(admin, world, field, kind):
    """On PostgreSQL a NUL in text made the statement fail (500); now it never gets there."""
    url, token = cancel_page(admin, world)
    before = snapshot()
    data = {"csrf_token": token, "note": "fine"}
    data[field] = "Away\x00that week"
    response = admin.post(url, data=data, content_type=kind)
    assert response.status_code == 422
    assert ("field name that can't be used" if "\x00" in field else
            "control character (such as a NUL byte)") in text(response)
    assert "Nothing was changed." in text(response)
    assert snapshot() == before


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85", "\x9b"])
def test_control_characters_are_refused_in_forms_and_queries(admin, world, char):
    url, token = cancel_page(admin, world)
    before = snapshot()
    response = admin.post(url, data={"csrf_token": token, "note": f"a{char}b"},
                          headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#modal-root"  # htmx gets the modal fragment
    assert "control character" in text(response)
    response = admin.get("/admin/bookings", query_string={"q": f"Casey{char}"})
    assert response.status_code == 400
    assert "control character" in text(response)
    assert snapshot() == before


def test_tabs_and_line_breaks_are_text(admin, world):
    url, token = cancel_page(admin, world)
    response = admin.post(url, data={"csrf_token": token, "note": "Away\r\n\tthat week"})
    assert response.status_code == 302


def test_an_overlong_field_is_refused(admin, world):
    url, token = cancel_page(admin, world)
    before = snapshot()
    response = admin.post(url, data={"csrf_token": token, "note": "x" * (FIELD_MAX + 1)})
    assert response.status_code == 422
    assert "is too long" in text(response)
    assert snapshot() == before


@pytest.mark.parametrize("kind", ["urlencoded", "multipart"])
def test_an_oversized_body_is_413(app, admin, world, kind):
    url, token = cancel_page(admin, world)
    before = snapshot()
    data = {"csrf_token": token, **{f"note{i}": "x" * 9_000 for i in range(130)}}
    response = admin.post(url, data=data, content_type="multipart/form-data"
                          if kind == "multipart" else "application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "What you sent is too large" in text(response)
    assert snapshot() == before


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "9001-01-01"])
def test_a_far_year_in_a_date_query_is_a_note(admin, day):
    for url in ("/admin/bookings", "/admin/activity", "/admin/reports/cancellations",
                "/admin/orders", "/admin/refunds"):
        response = admin.get(url, query_string={"from": day, "to": day})
        assert response.status_code == 200, url
        assert "is not a date in the years 1900 to 9000" in text(response), url


@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_a_far_year_in_a_date_field_is_a_form_error(admin, moment):
    page = admin.get("/admin/availability/blocked").get_data(as_text=True)
    before = snapshot()
    response = admin.post("/admin/availability/blocked", data={
        "csrf_token": csrf_from(page), "starts_at": moment, "ends_at": "2030-01-01T10:00"})
    assert response.status_code == 422
    assert "Enter a date between the years 1900 and 9000." in text(response)
    assert snapshot() == before


@pytest.mark.parametrize("start", ["0001-01-01T00:00:00", "9999-12-31T23:00:00"])
def test_a_far_year_as_a_new_time_is_refused(admin, world, start):
    url = f"/admin/bookings/{world.upcoming.ref}/reschedule"
    token = csrf_from(admin.get(url).get_data(as_text=True))
    before = snapshot()
    response = admin.post(url, data={"csrf_token": token, "start": start})
    assert 400 <= response.status_code < 500
    assert "Please pick one of the times shown." in text(response)
    assert snapshot() == before


def test_the_api_answers_a_nul_in_json_with_a_problem(app, world):
    """The API keeps its own validation and format (problem+json); a NUL never reaches
    PostgreSQL. The guard leaves /api/ alone."""
    from tests.support.api_support import integration, token_for
    raw = token_for(integration())
    before = snapshot()
    response = app.test_client().post(
        f"/api/v1/bookings/{world.upcoming.ref}/cancel", data=json.dumps({"note": "a\x00b"}),
        headers={"Authorization": f"Bearer {raw}"}, content_type="application/json")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"][0]["pointer"] == "#/note"
    response = app.test_client().get(f"/api/v1/services/{2**63}/availability",
                                      headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert snapshot()["audit_event"] == before["audit_event"]
