"""Admin > Services through HTTP: list, add, edit, the fieldworkers who do each service, and
every refusal leaving the database as it was."""
import pytest

from portal.audit import AuditEvent
from portal.bookings.availability import free_slots
from portal.bookings.models import Service
from portal.bookings.schedule_models import ServiceStaff
from portal.kernel.clock import utcnow
from tests.support.back_office import _push_request_context, admin_client, everything, post, text
from tests.support.forms import login
from tests.support.queries import queries_for
from tests.support.slots import free
from portal.kernel.timefmt import to_local

NEW = {"name": "Oven clean", "duration_minutes": "90", "price": "75.50", "active": "y"}


def add(client, **changes):
    data = {k: v for k, v in dict(NEW, **changes).items() if v is not None}
    return post(client, "/admin/services", data)


def events(action):
    return list(AuditEvent.select().where((AuditEvent.subject_type == "service")
                                          & (AuditEvent.action == action)))


def test_list_shows_each_service_with_who_does_it(admin_client, world):
    ServiceStaff.create(service=world.service, staff=world.fw2)
    Service.create(name="Window cleaning", duration_minutes=60, price=6000, active=False)
    page = text(admin_client.get("/admin/services"))
    assert "Regular clean" in page and "120 min" in page and "$90.00" in page
    assert "Gina Helper" in page and "Inactive" in page
    assert 'name="csrf_token"' in page and "Add a service" in page


def test_admin_adds_a_service_with_its_fieldworkers(admin_client, world):
    response = add(admin_client, staff=[str(world.fw.id), str(world.fw2.id)],
                   price="$1,040.50")
    assert response.status_code == 302 and response.location.endswith("/admin/services")
    service = Service.get(Service.name == "Oven clean")
    assert (service.duration_minutes, service.price, service.active) == (90, 104050, True)
    assert sorted(s.staff_id for s in service.qualified) == sorted([world.fw.id, world.fw2.id])
    (event,) = events("service_created")
    assert event.subject_id == service.id and event.actor_id == world.admin.id
    assert event.after_data["staff"] == ["Fred Worker", "Gina Helper"]
    assert event.after_data["price"] == 104050 and event.channel == "admin"
    assert "Oven clean added" in text(admin_client.get("/admin/services"))


def test_a_service_without_fieldworkers_is_open_to_everyone(admin_client, world):
    assert add(admin_client).status_code == 302
    service = Service.get(Service.name == "Oven clean")
    assert not list(service.qualified)
    slot = free(service)
    assert set(slot.staff_ids) == {world.fw.id, world.fw2.id}


@pytest.mark.parametrize("field,value,message", [
    ("name", "", "Give the service a name."),
    ("name", "x" * 121, "120 characters"),
    ("duration_minutes", "", "Enter the duration in minutes."),
    ("duration_minutes", "0", "from 5 to 720"),
    ("duration_minutes", "721", "from 5 to 720"),
    ("duration_minutes", "47", "in steps of 5"),
    ("duration_minutes", "1.5", "whole number"),
    ("duration_minutes", "ninety", "whole number"),
    ("price", "", "Enter a price"),
    ("price", "-5", "can't be negative"),
    ("price", "abc", "isn't an amount"),
    ("price", "2000000", "more than 1,000,000"),
    ("staff", "999", "Choose fieldworkers from the list"),
    ("staff", "abc", "Choose fieldworkers from the list"),
])
def test_bad_input_is_refused_and_nothing_saved(admin_client, world, field, value, message):
    before = everything()
    response = add(admin_client, **{field: value})
    assert response.status_code == 422
    assert message in text(response)
    assert 'aria-invalid="true"' in text(response)
    assert everything() == before


def test_an_admin_is_not_a_fieldworker_for_a_service(admin_client, world):
    before = everything()
    assert add(admin_client, staff=str(world.admin.id)).status_code == 422
    assert everything() == before


def test_two_active_services_may_not_share_a_name(admin_client, world):
    before = everything()
    response = add(admin_client, name="  regular   CLEAN ")
    assert response.status_code == 422
    assert "already an active service called" in text(response)
    assert everything() == before
    # An inactive one may (an old version kept for history), and so may one beside it.
    assert add(admin_client, name="Regular clean", active=None).status_code == 302
    Service.update(active=False).where(Service.id == world.service.id).execute()
    assert add(admin_client, name="Regular clean").status_code == 302


def test_admin_edits_a_service(admin_client, world):
    url = f"/admin/services/{world.service.id}"
    page = text(admin_client.get(url))
    assert 'value="Regular clean"' in page and 'value="90.00"' in page
    response = post(admin_client, url, {"name": "Regular clean (2 h)", "duration_minutes": "135",
                                        "price": "99", "active": "y",
                                        "staff": str(world.fw2.id)})
    assert response.status_code == 302
    service = Service.get_by_id(world.service.id)
    assert (service.name, service.duration_minutes, service.price) == (
        "Regular clean (2 h)", 135, 9900)
    (event,) = events("service_updated")
    assert event.before_data == {"name": "Regular clean", "duration_minutes": 120,
                                 "price": 9000, "staff": []}
    assert event.after_data == {"name": "Regular clean (2 h)", "duration_minutes": 135,
                                "price": 9900, "staff": ["Gina Helper"]}
    # Bookings already made keep their price and end.
    assert world.upcoming.price == 9000
    # Only Gina does it now: the pickers offer her alone.
    day = to_local(free(service).starts_at, world.settings.timezone).date()
    offered = free_slots(service, day, day, settings=world.settings, now=utcnow())
    assert offered and {s for slot in offered for s in slot.staff_ids} == {world.fw2.id}


def test_saving_unchanged_writes_nothing(admin_client, world):
    url = f"/admin/services/{world.service.id}"
    response = post(admin_client, url, {"name": "Regular clean", "duration_minutes": "120",
                                        "price": "90.00", "active": "y"})
    assert response.status_code == 302
    assert "Nothing to change." in text(admin_client.get("/admin/services"))
    assert not events("service_updated")


def test_an_inactive_service_leaves_the_customer_picker(app, admin_client, world):
    customer_client = app.test_client()
    login(customer_client, world.customer.email)
    Service.create(name="Window cleaning", duration_minutes=60, price=6000)
    post(admin_client, f"/admin/services/{world.service.id}",
         {"name": "Regular clean", "duration_minutes": "120", "price": "90"})
    assert Service.get_by_id(world.service.id).active is False
    page = text(customer_client.get("/book"))
    assert "Window cleaning" in page and "Regular clean" not in page


def test_editing_refusals_change_nothing(admin_client, world):
    other = Service.create(name="Deep clean", duration_minutes=240, price=18000)
    url = f"/admin/services/{world.service.id}"
    before = everything()
    response = post(admin_client, url, {"name": "deep clean", "duration_minutes": "120",
                                        "price": "90", "active": "y"})
    assert response.status_code == 422 and "already an active service" in text(response)
    response = post(admin_client, url, {"name": "Regular clean", "duration_minutes": "100000",
                                        "price": "90", "active": "y"})
    assert response.status_code == 422
    assert everything() == before
    assert other.active


def test_unknown_service_is_404(admin_client, world):
    assert admin_client.get("/admin/services/999999").status_code == 404
    before = everything()
    response = post(admin_client, "/admin/services/999999", NEW, page="/admin/services")
    assert response.status_code == 404 and "couldn't find that service" in text(response)
    assert everything() == before


def test_missing_csrf_token_changes_nothing(admin_client, world):
    before = everything()
    response = admin_client.post("/admin/services", data=NEW)
    assert response.status_code == 400 and "security token" in text(response)
    response = admin_client.post(f"/admin/services/{world.service.id}", data=NEW)
    assert response.status_code == 400
    assert everything() == before


def test_services_list_uses_constant_queries(admin_client, world):
    before = queries_for(admin_client, "/admin/services")
    for n in range(30):
        service = Service.create(name=f"Service {n}", duration_minutes=60, price=1000 + n)
        ServiceStaff.create(service=service, staff=world.fw if n % 2 else world.fw2)
    assert queries_for(admin_client, "/admin/services") == before
