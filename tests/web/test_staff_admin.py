"""Admin > Staff through HTTP: add a fieldworker, deactivate and reactivate, the permission."""
import pytest

from portal.audit import AuditEvent
from portal.kernel.actors import SYSTEM
from portal.kernel.errors import Conflict, NotFound
from portal.people import staff
from portal.people import Staff
from tests.support.cancelling import HX
from tests.support.forms import csrf_from, login, logout
from tests.support.request_context import _push_request_context  # noqa: F401 (one `g` per request)

NEW = {"name": "Nina New", "email": "Nina.New@Example.com", "password": "a-long-secret"}


@pytest.fixture
def admin_client(app, world):
    # Not pytest-flask's `client`: it is used in a `with` block, which keeps each request's
    # context (and `g`) pushed until its next request, where another client would reuse it.
    client = app.test_client()
    login(client, world.admin.email)
    return client


@pytest.fixture
def other_client(app):
    """A second browser: someone else logged in at the same time."""
    return app.test_client()


def token(client):
    return csrf_from(client.get("/admin/staff").get_data(as_text=True))


def add(client, **changes):
    data = {k: v for k, v in dict(NEW, **changes).items() if v is not None}
    data["csrf_token"] = token(client)
    return client.post("/admin/staff", data=data)


def row_post(client, staff_id, action, headers=None, **data):
    data.setdefault("csrf_token", token(client))
    return client.post(f"/admin/staff/{staff_id}/{action}", data=data, headers=headers or {})


def staff_events(action=None):
    query = AuditEvent.select().where(AuditEvent.subject_type == "staff")
    return list(query.where(AuditEvent.action == action) if action else query)


def test_admin_adds_a_fieldworker_who_can_then_log_in(admin_client, world):
    response = add(admin_client, can_edit_booking_status="y")
    assert response.status_code == 302 and response.location.endswith("/admin/staff")
    page = admin_client.get("/admin/staff").get_data(as_text=True)
    assert "Nina New can now log in as nina.new@example.com" in page
    nina = Staff.get(Staff.email == "nina.new@example.com")
    assert (nina.role, nina.active, nina.can_edit_booking_status) == ("fieldworker", True, True)
    assert f'id="staff-{nina.id}"' in page
    [event] = staff_events("staff_added")
    assert (event.subject_id, event.actor_id, event.channel) == (nina.id, world.admin.id, "admin")
    assert event.after_data["email"] == "nina.new@example.com"
    assert "password" not in event.after and "hash" not in event.after
    logout(admin_client)
    response = login(admin_client, "NINA.new@example.com", NEW["password"])
    assert response.location.endswith("/fieldworker/jobs")


def test_the_page_says_how_the_first_password_reaches_the_fieldworker(admin_client, world):
    html = admin_client.get("/admin/staff").get_data(as_text=True)
    assert "no email invitations yet" in html and "at least 10 characters" in html
    for person in (world.admin, world.fw, world.fw2):
        assert f'id="staff-{person.id}"' in html
    assert 'href="/admin/staff"' in html  # the nav link


@pytest.mark.parametrize("email", ["FW@Example.COM", "Customer@EXAMPLE.com", " other@example.com "])
def test_an_email_already_in_use_is_refused_and_nothing_saved(admin_client, world, email):
    before = Staff.select().count()
    response = add(admin_client, email=email)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "already belongs to an account" in html and 'aria-invalid="true"' in html
    assert 'value="Nina New"' in html and NEW["password"] not in html
    assert Staff.select().count() == before and staff_events() == []


@pytest.mark.parametrize("field,value,message", [
    ("name", "", "Enter the fieldworker"),
    ("name", "   ", "Enter the fieldworker"),
    ("name", "x" * 121, "120 characters"),
    ("email", "", "Enter their email"),
    ("email", "not-an-email", "Enter an email address like"),
    ("email", "a@b", "Enter an email address like"),
    ("email", "n@" + "x" * 250 + ".com", "too long"),
    ("password", "", "Enter an initial password"),
    ("password", "short", "10 to 200 characters"),
    ("password", "x" * 201, "10 to 200 characters"),
])
def test_bad_input_is_refused_with_a_message(admin_client, world, field, value, message):
    before = Staff.select().count()
    response = add(admin_client, **{field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    assert Staff.select().count() == before and staff_events() == []


def test_a_name_of_exactly_120_characters_is_fine(admin_client, world):
    assert add(admin_client, name="n" * 120).status_code == 302


def test_deactivated_fieldworker_is_logged_out_and_cannot_log_in(app, admin_client, other_client,
                                                                  world):
    login(other_client, world.fw.email)
    assert other_client.get("/fieldworker/jobs").status_code == 200

    response = row_post(admin_client, world.fw.id, "deactivate", confirmed="yes")
    assert response.status_code == 302
    assert "Fred Worker is deactivated" in admin_client.get("/admin/staff").get_data(as_text=True)
    assert Staff.get_by_id(world.fw.id).active is False

    response = other_client.get("/fieldworker/jobs")  # the session they already had
    assert response.status_code == 302 and "/login" in response.location
    assert other_client.get("/fieldworker/notifications/badge",
                            headers=HX).status_code == 401  # htmx is sent to log in
    page = other_client.get("/login").get_data(as_text=True)
    refused = other_client.post("/login", data={"email": world.fw.email, "password": "demo",
                                                "csrf_token": csrf_from(page)})
    assert refused.status_code == 422
    [event] = staff_events("staff_deactivated")
    assert (event.before_data, event.after_data) == ({"active": True}, {"active": False})
    # History stays: their bookings and assignments are untouched.
    assert world.upcoming.ref in admin_client.get(
        f"/admin/bookings/{world.upcoming.ref}").get_data(as_text=True)

    assert row_post(admin_client, world.fw.id, "activate").status_code == 302
    assert Staff.get_by_id(world.fw.id).active is True
    assert len(staff_events("staff_activated")) == 1
    # Reactivation does not revive the session they had before: they log in afresh.
    response = other_client.get("/fieldworker/jobs")
    assert response.status_code == 302 and "/login" in response.location
    login(app.test_client(), world.fw.email)


def test_htmx_swaps_just_the_row(admin_client, world):
    response = row_post(admin_client, world.fw2.id, "deactivate", confirmed="yes", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="staff-{world.fw2.id}"')
    assert "Inactive" in html and "Activate" in html and "<html" not in html
    response = row_post(admin_client, world.fw2.id, "permission", headers=HX, allowed="on")
    assert response.status_code == 200 and "Revoke" in response.get_data(as_text=True)


def test_doing_it_twice_changes_nothing_more(admin_client, world):
    row_post(admin_client, world.fw2.id, "deactivate", confirmed="yes")
    row_post(admin_client, world.fw2.id, "deactivate", confirmed="yes")
    assert len(staff_events("staff_deactivated")) == 1


def test_the_permission_shows_and_hides_cancel_on_the_job_page(admin_client, other_client,
                                                               world):
    job = f"/fieldworker/jobs/{world.upcoming.ref}"
    login(other_client, world.fw2.email)
    assert "Cancel booking" not in other_client.get(job).get_data(as_text=True)

    assert row_post(admin_client, world.fw2.id, "permission", allowed="on").status_code == 302
    assert "Cancel booking" in other_client.get(job).get_data(as_text=True)

    assert row_post(admin_client, world.fw2.id, "permission", allowed="off").status_code == 302
    assert "Cancel booking" not in other_client.get(job).get_data(as_text=True)
    on, off = staff_events("staff_permission_changed")
    assert on.after_data == {"can_edit_booking_status": True}
    assert off.before_data == {"can_edit_booking_status": True} and off.subject_id == world.fw2.id


@pytest.mark.parametrize("allowed", [None, "", "yes"])
def test_a_permission_post_must_say_on_or_off(admin_client, world, allowed):
    data = {} if allowed is None else {"allowed": allowed}
    response = row_post(admin_client, world.fw.id, "permission", **data)
    assert response.status_code == 422 and "Choose on or off" in response.get_data(as_text=True)
    assert Staff.get_by_id(world.fw.id).can_edit_booking_status is True


def test_admins_always_may_edit_status(admin_client, world):
    response = row_post(admin_client, world.admin.id, "permission", allowed="off")
    assert response.status_code == 422
    assert "Admins can always change booking status" in response.get_data(as_text=True)


def test_an_admin_cannot_deactivate_themselves(admin_client, world):
    html = admin_client.get("/admin/staff").get_data(as_text=True)
    assert f'id="staff-{world.admin.id}-active"' not in html  # no button for your own row
    response = row_post(admin_client, world.admin.id, "deactivate", confirmed="yes")
    assert response.status_code == 422
    assert "can&#39;t deactivate your own account" in response.get_data(as_text=True)
    response = row_post(admin_client, world.admin.id, "deactivate", confirmed="yes", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and html.count("<tr") == 1 and 'role="alert"' in html
    assert Staff.get_by_id(world.admin.id).active is True and staff_events() == []


def test_the_last_active_admin_stays(world):
    with pytest.raises(Conflict, match="last active admin"):
        staff.set_active(world.admin.id, False, SYSTEM)
    second = Staff.create(name="Bea Boss", email="bea@example.com", role="admin")
    staff.set_active(world.admin.id, False, SYSTEM)
    with pytest.raises(Conflict):
        staff.set_active(second.id, False, SYSTEM)
    assert Staff.get_by_id(second.id).active is True


def test_unknown_staff_is_404(admin_client, world):
    for action, data in (("activate", {}), ("deactivate", {}), ("permission", {"allowed": "on"})):
        assert row_post(admin_client, 999999, action, **data).status_code == 404
    with pytest.raises(NotFound):
        staff.set_can_edit_booking_status(999999, True, SYSTEM)


ENDPOINTS = [("get", "/admin/staff"), ("post", "/admin/staff"),
             ("post", "/admin/staff/{id}/activate"), ("post", "/admin/staff/{id}/deactivate"),
             ("post", "/admin/staff/{id}/permission")]


def _call(client, method, url, world, csrf):
    url = url.format(id=world.fw2.id)
    if method == "get":
        return client.get(url)
    return client.post(url, data={"csrf_token": csrf, "allowed": "on", **NEW})


def test_only_admins_reach_staff_pages(client, world):
    csrf = csrf_from(client.get("/login").get_data(as_text=True))
    for method, url in ENDPOINTS:
        response = _call(client, method, url, world, csrf)
        assert response.status_code == 302 and "/login" in response.location, url
    for who in (world.customer, world.fw):
        login(client, who.email)
        csrf = csrf_from(client.get("/login", follow_redirects=True).get_data(as_text=True))
        for method, url in ENDPOINTS:
            assert _call(client, method, url, world, csrf).status_code == 403, (who.email, url)
        logout(client)
    fw2 = Staff.get_by_id(world.fw2.id)
    assert (fw2.active, fw2.can_edit_booking_status) == (True, False)
    assert Staff.select().count() == 3 and staff_events() == []


def test_posts_without_csrf_are_refused_and_change_nothing(admin_client, world):
    for method, url in ENDPOINTS[1:]:
        response = admin_client.post(url.format(id=world.fw.id),
                                     data={"allowed": "off", **NEW})
        assert response.status_code == 400, url
        assert "security token" in response.get_data(as_text=True)
    fw = Staff.get_by_id(world.fw.id)
    assert (fw.active, fw.can_edit_booking_status) == (True, True)
    assert Staff.select().count() == 3 and staff_events() == []
