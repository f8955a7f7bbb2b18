"""Admin > Working hours, booking settings and Blocked time, through HTTP."""
from datetime import datetime

import pytest

from portal.audit import AuditEvent
from portal.bookings.schedule_models import BlockedTime, WorkingHours
from portal.settings import Settings
from tests.support.forms import csrf_from, login, logout

HOURS = "/admin/availability/hours"
BLOCKED = "/admin/availability/blocked"
BOOKING = "/admin/availability/booking"


def week_form(days=None, staff=""):
    """Form fields for a week: {weekday: [("08:00", "12:00"), ...]}; other days closed."""
    data = {"staff": staff, "action": "save"}
    for day in range(7):
        spans = (days or {}).get(day)
        if not spans:
            data[f"closed-{day}"] = "y"
        for i, (start, end) in enumerate(spans or []):
            data[f"start-{day}-{i}"], data[f"end-{day}-{i}"] = start, end
    return data


def post(client, url, data, page=HOURS):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def rows(staff=None):
    owner = WorkingHours.staff.is_null() if staff is None else WorkingHours.staff == staff
    return sorted((h.weekday, h.start_minute, h.end_minute)
                  for h in WorkingHours.select().where(owner))


def state():
    return {"hours": sorted((h.staff_id, h.weekday, h.start_minute, h.end_minute)
                            for h in WorkingHours.select()),
            "blocks": sorted((b.staff_id, b.starts_at, b.ends_at, b.reason)
                             for b in BlockedTime.select()),
            "settings": Settings.select().dicts().get(), "audit": AuditEvent.select().count()}


def test_a_new_install_says_it_uses_the_default_hours(admin_client):
    html = admin_client.get(HOURS).get_data(as_text=True)
    assert "No hours saved yet" in html
    assert "Monday\u2013Friday 8:00 AM\u20136:00 PM; Saturday 9:00 AM\u20131:00 PM" in html
    assert 'value="08:00"' in html and 'aria-current="page">Working hours' in html


def test_saving_business_hours_replaces_them_with_one_audit_event(admin_client):
    week = {0: [("08:00", "12:00"), ("13:00", "17:30")], 2: [("09:00", "00:00")]}
    response = post(admin_client, HOURS, week_form(week))
    assert response.status_code == 302
    assert rows() == [(0, 480, 720), (0, 780, 1050), (2, 540, 1440)]
    assert post(admin_client, HOURS, week_form({1: [("10:00", "11:00")]})).status_code == 302
    assert rows() == [(1, 600, 660)]
    events = list(AuditEvent.select().where(AuditEvent.action == "working_hours_changed")
                  .order_by(AuditEvent.id))
    assert len(events) == 2
    assert events[1].before_data["hours"]["Monday"] == (
        "8:00 AM\u201312:00 PM and 1:00 PM\u20135:30 PM")
    assert events[1].after_data["hours"]["Tuesday"] == "10:00 AM\u201311:00 AM"
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Working hours saved." in page and 'value="13:00"' not in page


@pytest.mark.parametrize("week,message", [
    ({0: [("12:00", "09:00")]}, "Each span must end after it starts."),
    ({0: [("09:00", "09:00")]}, "Each span must end after it starts."),
    ({0: [("08:10", "12:00")]}, "Times go in quarter hours"),
    ({0: [("08:00", "12:00"), ("11:00", "14:00")]}, "Spans of a day must not overlap."),
    ({0: [("8am", "12:00")]}, "Enter both times of each span"),
    ({0: [("08:00", "")]}, "Enter both times of each span"),
    ({0: [("25:00", "26:00")]}, "Enter both times of each span"),
    ({}, "Open at least one day"),
])
def test_bad_hours_are_refused_next_to_the_day_and_nothing_saved(admin_client, week, message):
    post(admin_client, HOURS, week_form({4: [("08:00", "18:00")]}))
    before = state()
    response = post(admin_client, HOURS, week_form(week))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert state() == before
    if week:
        assert 'id="day-0-error"' in html and 'aria-describedby="day-0-error"' in html


def test_open_day_without_hours_must_say_closed(admin_client):
    data = week_form({0: [("08:00", "12:00")]})
    del data["closed-3"]
    response = post(admin_client, HOURS, data)
    assert response.status_code == 422 and "Enter the hours, or tick Closed." in \
        response.get_data(as_text=True)
    assert rows() == []


def test_fieldworker_hours_and_reset(admin_client, world):
    page = admin_client.get(f"{HOURS}?staff={world.fw.id}").get_data(as_text=True)
    assert "Same as business hours" in page and "Reset to business hours" not in page
    response = post(admin_client, HOURS, week_form({0: [("10:00", "14:00")]}, world.fw.id))
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"staff={world.fw.id}")
    assert rows(world.fw.id) == [(0, 600, 840)] and rows() == []
    page = admin_client.get(f"{HOURS}?staff={world.fw.id}").get_data(as_text=True)
    assert "Reset to business hours" in page and "Fred Worker’s hours" in page
    assert post(admin_client, HOURS, {"staff": world.fw.id, "action": "reset"}
                ).status_code == 302
    assert rows(world.fw.id) == []
    reset = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert reset.action == "working_hours_changed"
    assert reset.after_data == {"owner": "Fred Worker", "hours": "same as business hours"}


@pytest.mark.parametrize("staff", ["999999", "abc", "ADMIN"])
def test_hours_for_an_unknown_fieldworker_are_refused(admin_client, world, staff):
    staff = str(world.admin.id) if staff == "ADMIN" else staff
    before = state()
    response = post(admin_client, HOURS, week_form({0: [("10:00", "14:00")]}, staff))
    assert response.status_code == 422
    assert "one of the fieldworkers listed" in response.get_data(as_text=True)
    assert state() == before


@pytest.mark.parametrize("staff", ["999999", "abc"])
def test_opening_hours_of_an_unknown_fieldworker_says_so(admin_client, staff):
    response = admin_client.get(f"{HOURS}?staff={staff}")
    assert response.status_code == 422
    assert "one of the fieldworkers listed" in response.get_data(as_text=True)


def test_the_switcher_swaps_just_the_table_for_htmx(admin_client, world):
    response = admin_client.get(f"{HOURS}?staff={world.fw.id}", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="hours-editor"' in html and "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


# --- Booking settings ---------------------------------------------------------------------

def test_booking_settings_are_saved_and_audited(admin_client):
    response = post(admin_client, BOOKING, {"slot_step_minutes": "15", "max_reschedules": "2"})
    assert response.status_code == 302
    s = Settings.current()
    assert (s.slot_step_minutes, s.max_reschedules, s.online_booking) == (15, 2, False)
    event = AuditEvent.get(AuditEvent.action == "booking_settings_changed")
    assert event.after_data == {"slot_step_minutes": 15, "max_reschedules": 2,
                                "online_booking": False}
    post(admin_client, BOOKING, {"slot_step_minutes": "15", "max_reschedules": "",
                                 "online_booking": "y"})
    assert Settings.current().max_reschedules is None and Settings.current().online_booking


@pytest.mark.parametrize("field,value,message", [
    ("slot_step_minutes", "7", "Choose 15, 30 or 60 minutes."),
    ("slot_step_minutes", "", "Choose how often"),
    ("slot_step_minutes", "x", "Enter a whole number."),
    ("max_reschedules", "51", "Enter 0 to 50"),
    ("max_reschedules", "-1", "Enter 0 to 50"),
])
def test_bad_booking_settings_are_refused(admin_client, field, value, message):
    before = state()
    data = dict({"slot_step_minutes": "30", "max_reschedules": "", "online_booking": "y"},
                **{field: value})
    response = post(admin_client, BOOKING, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert f'id="{field}-error"' in html
    assert state() == before


# --- Blocked time -------------------------------------------------------------------------

def block_form(**changes):
    return dict({"staff": "", "starts_at": "2031-12-24T09:00", "ends_at": "2031-12-26T18:00",
                 "reason": "Holidays"}, **changes)


def test_add_and_remove_blocked_time(admin_client, world):
    response = post(admin_client, BLOCKED, block_form(), BLOCKED)
    assert response.status_code == 302
    block = BlockedTime.get()
    # Entered in the business timezone (New York, EST in December), stored in UTC.
    assert (block.staff_id, block.starts_at, block.ends_at, block.reason) == (
        None, datetime(2031, 12, 24, 14), datetime(2031, 12, 26, 23), "Holidays")
    post(admin_client, BLOCKED, block_form(staff=world.fw2.id, reason="  Training  "), BLOCKED)
    page = admin_client.get(BLOCKED).get_data(as_text=True)
    assert "Whole business" in page and "Gina Helper" in page and "Training" in page
    assert post(admin_client, f"{BLOCKED}/{block.id}/delete", {}, BLOCKED).status_code == 302
    assert [b.reason for b in BlockedTime.select()] == ["Training"]
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.id)]
    assert actions == ["blocked_time_added", "blocked_time_added", "blocked_time_removed"]
    assert post(admin_client, f"{BLOCKED}/{block.id}/delete", {}, BLOCKED).status_code == 404


@pytest.mark.parametrize("changes,field,message", [
    ({"ends_at": "2031-12-24T08:00"}, "ends_at", "The end must be after the start."),
    ({"ends_at": "2031-12-24T09:00"}, "ends_at", "The end must be after the start."),
    ({"starts_at": "24/12/2031 9am"}, "starts_at", "Enter a date and time"),
    ({"starts_at": ""}, "starts_at", "Enter when the blocked time starts."),
    ({"ends_at": "2033-12-26T18:00"}, "ends_at", "at most 366 days"),
    ({"starts_at": "2001-01-01T09:00", "ends_at": "2001-01-02T09:00"}, "ends_at",
     "already passed"),
    ({"reason": "x" * 10_000}, "reason", "120 characters"),
    ({"staff": "999999"}, "staff", "one of the fieldworkers listed"),
    ({"staff": "'; DROP TABLE staff"}, "staff", "one of the fieldworkers listed"),
])
def test_bad_blocked_time_is_refused(admin_client, world, changes, field, message):
    before = state()
    response = post(admin_client, BLOCKED, block_form(**changes), BLOCKED)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert f'id="{field}-error"' in html and f'{field}-error"' in html.split(f'id="{field}"')[1]
    assert "x" * 121 not in html  # the long reason is not echoed back whole
    assert state() == before


# --- Who may use the pages ------------------------------------------------------------------

@pytest.mark.parametrize("url,data", [
    (HOURS, week_form({0: [("08:00", "12:00")]})),
    (BOOKING, {"slot_step_minutes": "15"}),
    (BLOCKED, block_form()),
    (f"{BLOCKED}/1/delete", {}),
])
def test_posts_without_csrf_are_refused(admin_client, url, data):
    BlockedTime.create(starts_at=datetime(2031, 1, 1), ends_at=datetime(2031, 1, 2))
    before = state()
    response = admin_client.post(url, data=data)
    assert response.status_code == 400 and "security token" in response.get_data(as_text=True)
    assert state() == before


@pytest.mark.parametrize("url", [HOURS, BLOCKED])
def test_only_admins_open_the_pages(client, world, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    for who in (world.customer, world.fw):
        login(client, who.email)
        assert client.get(url).status_code == 403
        logout(client)
