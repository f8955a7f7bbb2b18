"""Edit booking > status (cancel with a fee, no-show, completed) and Settings > Tax & Fees."""
import re

import pytest

from portal.audit import AuditEvent
from portal.billing.models import Invoice, InvoiceLine
from portal.bookings.models import Booking
from portal.messaging.models import OutboxMessage
from portal.settings import Settings
from tests.support.cancelling import HX, effects, unchanged
from tests.support.forms import csrf_from, login
from tests.support.pages import text


@pytest.fixture
def fees(world):
    Settings.update(cancellation_fee=2500, no_show_fee=4000).execute()


def post(client, url, booking_, **data):
    page = client.get(f"/admin/bookings/{booking_.ref}" if url.startswith("/admin")
                      else f"/fieldworker/jobs/{booking_.ref}")
    data.setdefault("csrf_token", csrf_from(page.get_data(as_text=True)))
    data.setdefault("version", booking_.version)
    return client.post(url, data=data, headers=data.pop("headers", {}))


def lines(booking_):
    return [(line.kind, line.amount, line.tax) for line in InvoiceLine.select().join(Invoice)
            .where(Invoice.booking == booking_.id).order_by(InvoiceLine.id)]


def changed_nothing(booking_):
    assert effects(booking_) == unchanged(booking_)
    assert lines(booking_) == []


# --- Cancelling with a fee -------------------------------------------------------------------

def test_the_cancel_step_offers_the_default_fee_prefilled(admin_client, world, fees):
    html = text(admin_client.get(
        f"/admin/bookings/{world.upcoming.ref}/status?status=cancelled", headers=HX))
    assert "Add a cancellation fee to the invoice" in html
    assert re.search(r'name="fee"[^>]*value="25.00"', html)
    assert 'name="add_fee"' in html and "checked" not in html.split('name="add_fee"')[1][:40]


def test_without_a_configured_fee_there_is_no_fee_prompt(admin_client, world):
    html = admin_client.get(f"/admin/bookings/{world.upcoming.ref}/cancel").get_data(
        as_text=True)
    assert "Cancel this booking?" in html and 'name="fee"' not in html


def test_admin_cancels_with_an_edited_fee(admin_client, world, fees):
    Settings.update(tax_rate_bp=1000).execute()  # 10 %
    response = post(admin_client, f"/admin/bookings/{world.upcoming.ref}/cancel",
                    world.upcoming, note="Phoned in sick", add_fee="y", fee="$30.00",
                    headers=HX)
    html = text(response)
    assert response.status_code == 200 and "Cancelled" in html
    # The visit (90.00 + 9.00 tax) is credited back; the fee (30.00 + 3.00 tax) stays: 33.00.
    assert lines(world.upcoming) == [("service", 9000, 900), ("service_cancelled", -9000, -900),
                                     ("cancellation_fee", 3000, 300)]
    assert "Cancellation fee" in html and "$33.00" in html
    event = AuditEvent.get(AuditEvent.action == "cancelled")
    assert (event.channel, event.after_data["fee"]) == ("admin", 3000)
    notice = OutboxMessage.get(OutboxMessage.to_address == world.customer.email)
    assert "A cancellation fee of $30.00 has been added to your invoice." in notice.body_text


def test_an_unticked_fee_box_with_the_offer_untouched_adds_no_fee(admin_client, world, fees):
    response = post(admin_client, f"/admin/bookings/{world.upcoming.ref}/cancel",
                    world.upcoming, fee="25.00", fee_default="25.00")
    assert response.status_code == 302
    assert Booking.get_by_id(world.upcoming.id).status == "cancelled"
    assert lines(world.upcoming) == [("service", 9000, 0), ("service_cancelled", -9000, 0)]
    notice = OutboxMessage.get(OutboxMessage.to_address == world.customer.email)
    assert "cancellation fee" not in notice.body_text


@pytest.mark.parametrize("fee,message", [
    ("-5", "can't be negative"),
    ("abc", "isn't an amount"),
    ("12.345", "isn't an amount"),
    ("1000000.01", "more than 1,000,000"),
    ("99999999999999999999", "more than 1,000,000"),
    ("", "is empty"),
])
def test_bad_fees_are_refused_and_change_nothing(admin_client, world, fees, fee, message):
    for headers in ({}, HX):
        response = post(admin_client, f"/admin/bookings/{world.upcoming.ref}/cancel",
                        world.upcoming, add_fee="y", fee=fee, headers=headers)
        assert response.status_code == 422
        assert message in text(response)
        changed_nothing(world.upcoming)


def test_a_fieldworker_has_no_fee_control_and_a_forged_fee_is_forbidden(client, world, fees):
    login(client, world.fw.email)
    url = f"/fieldworker/jobs/{world.upcoming.ref}/cancel"
    assert 'name="fee"' not in text(client.get(url))
    response = post(client, url, world.upcoming, add_fee="y", fee="25.00")
    assert response.status_code == 403
    assert "Only an admin can add a fee" in text(response)
    changed_nothing(world.upcoming)


# --- Edit booking > status -------------------------------------------------------------------

def test_the_status_select_offers_what_the_policy_allows(admin_client, world):
    upcoming = text(admin_client.get(f"/admin/bookings/{world.upcoming.ref}"))
    past = text(admin_client.get(f"/admin/bookings/{world.past.ref}"))

    def offered(html):
        select = html[html.index('name="status"'):]
        select = select[:select.index("</select>")]
        return re.findall(r'<option value="(\w+)"', select)
    assert offered(upcoming) == ["cancelled"]
    assert offered(past) == ["completed", "no_show"]
    done = text(admin_client.get(f"/admin/bookings/{world.completed.ref}"))
    assert 'name="status"' not in done


def test_choosing_cancelled_without_javascript_opens_the_cancel_page(admin_client, world):
    response = admin_client.get(f"/admin/bookings/{world.upcoming.ref}/status?status=cancelled")
    html = text(response)
    assert response.status_code == 200 and "<html" in html and "Cancel this booking?" in html
    assert f'action="/admin/bookings/{world.upcoming.ref}/cancel"' in html


def test_admin_marks_a_past_booking_as_no_show_with_a_fee(admin_client, world, fees):
    url = f"/admin/bookings/{world.past.ref}/status"
    step = text(admin_client.get(url + "?status=no_show", headers=HX))
    assert "Add a no-show fee to the invoice" in step and 'value="40.00"' in step
    response = post(admin_client, url, world.past, status="no_show", note="Nobody home",
                    add_fee="y", fee="40.00", headers=HX)
    html = text(response)
    assert response.status_code == 200 and "No-show" in html and "No-show fee" in html
    assert response.headers["HX-Trigger-After-Settle"] == f'{{"bookingChanged": {{"ref": "{world.past.ref}"}}}}'
    b = Booking.get_by_id(world.past.id)
    assert (b.status, b.version) == ("no_show", world.past.version + 1)
    assert lines(world.past) == [("service", 9000, 0), ("no_show_fee", 4000, 0)]
    event = AuditEvent.get(AuditEvent.action == "no_show")
    assert (event.actor_kind, event.note, event.after_data["fee"]) == ("admin", "Nobody home",
                                                                     4000)
    history = text(admin_client.get(f"/admin/bookings/{world.past.ref}"))
    assert "scheduled → no_show" in history


def test_no_show_before_the_start_is_refused(admin_client, world):
    response = post(admin_client, f"/admin/bookings/{world.upcoming.ref}/status",
                    world.upcoming, status="no_show")
    assert response.status_code == 409
    assert "hasn't started yet" in text(response)
    changed_nothing(world.upcoming)


@pytest.mark.parametrize("status", ["deleted", "scheduled", "", "cancelled' OR 1=1", "x" * 500])
def test_a_forged_status_is_refused(admin_client, world, status):
    for headers in ({}, HX):
        response = post(admin_client, f"/admin/bookings/{world.past.ref}/status", world.past,
                        status=status, headers=headers)
        assert response.status_code == 422
        assert "isn't a status you can choose" in text(response)
        changed_nothing(world.past)


def test_a_stale_status_change_gets_409(admin_client, world):
    csrf = csrf_from(admin_client.get(f"/admin/bookings/{world.past.ref}").get_data(
        as_text=True))
    Booking.update(version=Booking.version + 1).where(Booking.id == world.past.id).execute()
    response = admin_client.post(f"/admin/bookings/{world.past.ref}/status", data={
        "csrf_token": csrf, "status": "completed", "version": world.past.version})
    assert response.status_code == 409
    assert "changed since the page loaded. Reload" in text(response)
    assert Booking.get_by_id(world.past.id).status == "scheduled"


def test_a_permitted_fieldworker_completes_their_job(client, world):
    login(client, world.fw.email)
    response = post(client, f"/fieldworker/jobs/{world.past.ref}/status", world.past,
                    status="completed")
    assert response.status_code == 302
    assert Booking.get_by_id(world.past.id).status == "completed"
    event = AuditEvent.get(AuditEvent.action == "completed")
    assert (event.actor_kind, event.channel) == ("fieldworker", "fieldworker")


def test_a_fieldworker_without_permission_gets_403(client, world):
    login(client, world.fw2.email)
    from portal.bookings.models import Assignment
    Assignment.create(booking=world.past, staff=world.fw2)
    html = text(client.get(f"/fieldworker/jobs/{world.past.ref}"))
    assert 'name="status"' not in html
    response = post(client, f"/fieldworker/jobs/{world.past.ref}/status", world.past,
                    status="no_show")
    assert response.status_code == 403
    # Refused for who they are, before any status is weighed: the role, not the choice.
    assert "Your role does not allow changing booking status. Ask an admin." in text(response)
    changed_nothing(world.past)


# --- Settings > Tax & Fees -------------------------------------------------------------------

def save_fees(client, **values):
    data = {"cancellation_fee": "0", "no_show_fee": "0", "tax_rate": "0", **values}
    data["csrf_token"] = csrf_from(client.get("/admin/settings/fees").get_data(as_text=True))
    return client.post("/admin/settings/fees", data=data)


def test_admin_sets_fees_and_tax(admin_client, world):
    response = save_fees(admin_client, cancellation_fee="$1,025.50", no_show_fee="40",
                         tax_rate="8.25")
    assert response.status_code == 302
    s = Settings.current()
    assert (s.cancellation_fee, s.no_show_fee, s.tax_rate_bp) == (102550, 4000, 825)
    event = AuditEvent.get(AuditEvent.action == "fee_settings_changed")
    assert event.after_data == {"cancellation_fee": 102550, "no_show_fee": 4000,
                                "tax_rate_bp": 825}
    html = text(admin_client.get("/admin/settings/fees"))
    assert 'value="1025.50"' in html and 'value="8.25"' in html


@pytest.mark.parametrize("field,value,message", [
    ("cancellation_fee", "-1", "can't be negative"),
    ("cancellation_fee", "ten", "isn't an amount"),
    ("no_show_fee", "2000000", "more than 1,000,000"),
    ("tax_rate", "101", "can't be more than 100"),
    ("tax_rate", "abc", "must be a percentage"),
    ("cancellation_fee", "9" * 60, "40 characters"),
])
def test_bad_fee_settings_change_nothing(admin_client, world, field, value, message):
    response = save_fees(admin_client, **{field: value})
    assert response.status_code == 422
    assert message in text(response)
    s = Settings.current()
    assert (s.cancellation_fee, s.no_show_fee, s.tax_rate_bp) == (0, 0, 0)
    assert not AuditEvent.select().where(AuditEvent.action == "fee_settings_changed").exists()


def test_a_new_tax_rate_leaves_existing_lines_alone(admin_client, world, fees):
    post(admin_client, f"/admin/bookings/{world.upcoming.ref}/cancel", world.upcoming,
         add_fee="y", fee="25.00")
    save_fees(admin_client, cancellation_fee="25", no_show_fee="40", tax_rate="20")
    assert lines(world.upcoming) == [("service", 9000, 0), ("service_cancelled", -9000, 0),
                                     ("cancellation_fee", 2500, 0)]
