"""Every back-office endpoint against every role: anonymous, customer, fieldworker without and
with "can edit booking status", admin. A refused request changes nothing.

A new back-office route fails `test_every_back_office_route_is_in_the_matrix` until it has a row.
"""
import pytest

from portal.audit import AuditEvent
from portal.bookings.models import Booking, Service
from portal.kernel.db import database
from portal.messaging.models import Notification, OutboxMessage
from portal.people import Customer, Staff
from portal.settings import CancellationReason, Settings
from tests.support.database import empty_tables
from tests.support.factories import build_world
from tests.support.forms import csrf_from, login
from tests.support.push_service import Device

ROLES = ("anonymous", "customer", "fw_without", "fw_with", "admin")
OK = "ok"  # served: 2xx, or a redirect that is not to the login page

ADMIN_ONLY = {"anonymous": 302, "customer": 403, "fw_without": 403, "fw_with": 403,
              "admin": OK}
STAFF = {"anonymous": 302, "customer": 403, "fw_without": OK, "fw_with": OK, "admin": OK}
# Cancel / change status of a job both fieldworkers are assigned to; only one may.
STAFF_WITH_PERMISSION = dict(STAFF, fw_without=403)

# A browser's push subscription, as form fields (the page posts the same as JSON).
PUSH_DEVICE = {"endpoint": "http://127.0.0.1:9/push/matrix",
               **Device().subscription("")["keys"]}

# (method, url template, form data, expected per role)
MATRIX = [
    ("GET", "/admin/today", {}, ADMIN_ONLY),
    ("GET", "/admin/today?span=week&day=2031-01-01&fieldworker={fw_without_id}", {}, ADMIN_ONLY),
    ("GET", "/admin/bookings", {}, ADMIN_ONLY),
    ("GET", "/admin/bookings?view=cancelled&q=casey", {}, ADMIN_ONLY),
    ("GET", "/admin/bookings/{upcoming}", {}, ADMIN_ONLY),
    ("GET", "/admin/bookings/{upcoming}/cancel", {}, ADMIN_ONLY),
    ("POST", "/admin/bookings/{upcoming}/cancel", {"version": "1"}, ADMIN_ONLY),
    ("GET", "/admin/bookings/{past}/status?status=no_show", {}, ADMIN_ONLY),
    ("POST", "/admin/bookings/{past}/status", {"status": "no_show", "version": "1"},
     ADMIN_ONLY),
    ("GET", "/admin/emails", {}, ADMIN_ONLY),
    ("GET", "/admin/reports/", {}, ADMIN_ONLY),
    ("GET", "/admin/reports/cancellations?preset=90d&channel=portal", {}, ADMIN_ONLY),
    ("GET", "/admin/reports/cancellations.csv?preset=7d", {}, ADMIN_ONLY),
    ("GET", "/admin/emails/{message}", {}, ADMIN_ONLY),
    ("GET", "/admin/emails/{message}/html", {}, ADMIN_ONLY),
    ("POST", "/admin/emails/{message}/resend", {}, ADMIN_ONLY),
    ("GET", "/admin/settings/portal", {}, ADMIN_ONLY),
    ("POST", "/admin/settings/portal", {"cancel_notice_hours": "12", "reminder_hours": "24"},
     ADMIN_ONLY),
    ("GET", "/admin/settings/fees", {}, ADMIN_ONLY),
    ("POST", "/admin/settings/fees", {"cancellation_fee": "10", "no_show_fee": "0",
                                      "tax_rate": "0"}, ADMIN_ONLY),
    ("POST", "/admin/settings/reasons", {"label": "Moving house"}, ADMIN_ONLY),
    ("POST", "/admin/settings/reasons/{reason}", {"action": "deactivate"}, ADMIN_ONLY),
    ("GET", "/admin/staff", {}, ADMIN_ONLY),
    ("POST", "/admin/staff", {"name": "New Worker", "email": "new@example.com",
                              "password": "a-long-password"}, ADMIN_ONLY),
    ("GET", "/admin/staff/{fw_without_id}/deactivate", {}, ADMIN_ONLY),
    ("POST", "/admin/staff/{fw_without_id}/deactivate", {"confirmed": "yes"}, ADMIN_ONLY),
    ("POST", "/admin/staff/{fw_without_id}/activate", {}, ADMIN_ONLY),
    ("POST", "/admin/staff/{fw_without_id}/permission", {"allowed": "on"}, ADMIN_ONLY),
    ("GET", "/fieldworker/jobs", {}, STAFF),
    ("GET", "/fieldworker/jobs/{upcoming}", {}, STAFF),
    ("GET", "/fieldworker/jobs/{upcoming}/cancel", {}, STAFF_WITH_PERMISSION),
    ("POST", "/fieldworker/jobs/{upcoming}/cancel", {"version": "1"}, STAFF_WITH_PERMISSION),
    ("GET", "/fieldworker/jobs/{both_past}/status?status=completed", {},
     STAFF_WITH_PERMISSION),
    ("POST", "/fieldworker/jobs/{both_past}/status", {"status": "completed", "version": "1"},
     STAFF_WITH_PERMISSION),
    ("GET", "/fieldworker/notifications", {}, STAFF),
    ("GET", "/fieldworker/notifications/badge", {}, STAFF),
    ("POST", "/fieldworker/notifications/read-all", {}, STAFF),
    # A notification belongs to one person: to everyone else it does not exist.
    ("POST", "/fieldworker/notifications/{notice}/read", {},
     dict(STAFF, fw_without=404, admin=404)),
    ("POST", "/fieldworker/push/subscriptions", PUSH_DEVICE, STAFF),
    ("POST", "/fieldworker/push/unsubscribe", {"endpoint": PUSH_DEVICE["endpoint"]}, STAFF),
    # A device belongs to one person; there is no device 999999 at all.
    ("POST", "/fieldworker/push/devices/999999/remove", {},
     dict(STAFF, fw_without=404, fw_with=404, admin=404)),
    ("GET", "/admin/push-log", {}, ADMIN_ONLY),
    ("GET", "/admin/availability/hours", {}, ADMIN_ONLY),
    ("POST", "/admin/availability/hours",
     {"staff": "", "action": "save", "start-0-0": "08:00", "end-0-0": "17:00",
      **{f"closed-{day}": "y" for day in range(1, 7)}}, ADMIN_ONLY),
    ("POST", "/admin/availability/booking", {"slot_step_minutes": "15"}, ADMIN_ONLY),
    ("GET", "/admin/availability/blocked", {}, ADMIN_ONLY),
    ("POST", "/admin/availability/blocked", {"starts_at": "2031-12-24T09:00",
                                             "ends_at": "2031-12-25T09:00",
                                             "reason": "Holiday"}, ADMIN_ONLY),
    # No block 1 exists: the admin is told so; everyone else is refused before the lookup.
    ("POST", "/admin/availability/blocked/1/delete", {}, dict(ADMIN_ONLY, admin=404)),
    ("GET", "/admin/bookings/{upcoming}/reschedule", {}, ADMIN_ONLY),
    # An empty choice: the admin is asked to pick a time (422); everyone else is refused.
    ("POST", "/admin/bookings/{upcoming}/reschedule", {"version": "1"},
     dict(ADMIN_ONLY, admin=422)),
    # Payments and refunds: no invoice or refund 1 exists here, so the admin is told so (404);
    # everyone else is refused before the lookup. tests/web/test_payments_refunds.py does the rest.
    ("GET", "/admin/refunds", {}, ADMIN_ONLY),
    ("GET", "/admin/waitlist?date=2026-06-01", {}, ADMIN_ONLY),
    ("POST", "/admin/waitlist/settings", {"mode": "everyone"}, ADMIN_ONLY),
    ("GET", "/admin/refunds?status=all&q=casey&from=2020-01-01", {}, ADMIN_ONLY),
    ("POST", "/admin/invoices/1/payments", {"amount": "10", "method": "cash"},
     dict(ADMIN_ONLY, admin=404)),
    ("POST", "/admin/invoices/1/refunds", {"amount": "1", "reason": "Goodwill"},
     dict(ADMIN_ONLY, admin=404)),
    ("POST", "/admin/refunds/1/approve", {"version": "1"}, dict(ADMIN_ONLY, admin=404)),
    ("POST", "/admin/refunds/1/reject", {"version": "1", "note": "No"},
     dict(ADMIN_ONLY, admin=404)),
    ("POST", "/admin/refunds/1/process", {"version": "1", "reference": "r"},
     dict(ADMIN_ONLY, admin=404)),
    ("GET", "/admin/activity", {}, ADMIN_ONLY),
    ("GET", "/admin/activity?q={upcoming}&actor=customers&action=cancelled&from=2020-01-01",
     {}, ADMIN_ONLY),
    ("GET", "/admin/orders", {}, ADMIN_ONLY),
    ("GET", "/admin/orders?view=cancelled&q=casey", {}, ADMIN_ONLY),
    # The world has no orders: the admin is told OR-AAAAAA is not found; everyone else is
    # refused before the lookup (tests/web/test_orders.py covers real ones).
    ("GET", "/admin/orders/OR-AAAAAA", {}, dict(ADMIN_ONLY, admin=404)),
    ("GET", "/admin/orders/OR-AAAAAA/cancel", {}, dict(ADMIN_ONLY, admin=404)),
    ("POST", "/admin/orders/OR-AAAAAA/cancel", {"version": "1"}, dict(ADMIN_ONLY, admin=404)),
    ("GET", "/admin/orders/new?customer={customer_id}&q=casey", {}, ADMIN_ONLY),
    # No quantity entered: the admin is asked for one (422); everyone else is refused.
    ("POST", "/admin/orders/new", {"customer": "{customer_id}"}, dict(ADMIN_ONLY, admin=422)),
    ("POST", "/admin/settings/fees/tiers", {"under_hours": "24", "kind": "percent",
                                            "amount": "50"}, ADMIN_ONLY),
    # No tier 1 exists: the admin is told so; everyone else is refused before the lookup.
    ("POST", "/admin/settings/fees/tiers/1/delete", {}, dict(ADMIN_ONLY, admin=404)),
    # Services, customers, new booking, booking details, business profile (issue 10).
    ("GET", "/admin/services", {}, ADMIN_ONLY),
    ("POST", "/admin/services", {"name": "Oven clean", "duration_minutes": "90",
                                 "price": "75", "active": "y"}, ADMIN_ONLY),
    ("GET", "/admin/services/{service_id}", {}, ADMIN_ONLY),
    ("POST", "/admin/services/{service_id}", {"name": "Regular clean (new)",
                                              "duration_minutes": "120", "price": "95",
                                              "active": "y"}, ADMIN_ONLY),
    ("GET", "/admin/customers", {}, ADMIN_ONLY),
    ("GET", "/admin/customers?q=casey&page=2", {}, ADMIN_ONLY),
    ("GET", "/admin/customers/new", {}, ADMIN_ONLY),
    ("POST", "/admin/customers/new", {"name": "Nora New", "email": "nora@example.com"},
     ADMIN_ONLY),
    ("GET", "/admin/customers/{customer_id}", {}, ADMIN_ONLY),
    ("GET", "/admin/customers/{customer_id}/edit", {}, ADMIN_ONLY),
    ("POST", "/admin/customers/{customer_id}/edit", {"name": "Casey C. Customer",
                                                     "email": "customer@example.com"},
     ADMIN_ONLY),
    # Casey already has a password: the admin is told to point them to "Forgot password".
    ("POST", "/admin/customers/{customer_id}/invite", {}, dict(ADMIN_ONLY, admin=409)),
    ("GET", "/admin/bookings/new", {}, ADMIN_ONLY),
    ("GET", "/admin/bookings/new?customer={customer_id}&q=casey&date=2031-01-06", {},
     ADMIN_ONLY),
    # No time chosen: the admin is asked to pick one (422); everyone else is refused.
    ("POST", "/admin/bookings/new", {"service": "1"}, dict(ADMIN_ONLY, admin=422)),
    ("GET", "/admin/bookings/{upcoming}/details", {}, ADMIN_ONLY),
    ("POST", "/admin/bookings/{upcoming}/details", {"version": "1", "notes": "Gate 4"},
     dict(ADMIN_ONLY, admin=422)),  # no fieldworker ticked: the admin is asked for one
    ("GET", "/admin/settings/business", {}, ADMIN_ONLY),
    ("POST", "/admin/settings/business", {"business_name": "Sparkle", "timezone": "UTC",
                                          "contact_phone": "(555) 010-4477",
                                          "currency": "EUR"}, ADMIN_ONLY),
    # Settings > Emails (tests/web/test_email_templates.py does the rest)
    ("GET", "/admin/settings/emails", {}, ADMIN_ONLY),
    ("GET", "/admin/settings/emails/booking_reminder/de", {}, ADMIN_ONLY),
    ("POST", "/admin/settings/emails/booking_reminder/de",
     {"action": "save", "subject": "Erinnerung", "body_text": "Hallo {customer_name}",
      "body_formatted": "Hallo"}, ADMIN_ONLY),
    ("GET", "/admin/settings/emails/booking_reminder/de/preview", {}, ADMIN_ONLY),
    ("POST", "/admin/settings/emails/booking_reminder/de/preview",
     {"subject": "Hi", "body_text": "Hi", "body_formatted": "Hi"}, ADMIN_ONLY),
    ("POST", "/admin/settings/emails/booking_reminder/de/reset", {}, ADMIN_ONLY),
    # Integrations: no integration or delivery 1 exists here, so the admin is told so (404);
    # everyone else is refused before the lookup. tests/web/test_integrations_admin.py does the
    # rest.
    ("GET", "/admin/integrations", {}, ADMIN_ONLY),
    ("POST", "/admin/integrations", {"name": "CalSync", "kind": "calendar",
                                     "endpoint_url": "https://cal.example.com/hook",
                                     "events": "booking.created", "cancellations": "manual"},
     ADMIN_ONLY),
    ("GET", "/admin/integrations/1", {}, dict(ADMIN_ONLY, admin=404)),
    ("POST", "/admin/integrations/1", {"name": "CalSync", "kind": "calendar",
                                       "cancellations": "manual"}, dict(ADMIN_ONLY, admin=404)),
    ("GET", "/admin/integrations/1/rotate", {}, dict(ADMIN_ONLY, admin=404)),
    ("POST", "/admin/integrations/1/rotate", {"confirmed": "yes"}, dict(ADMIN_ONLY, admin=404)),
    ("GET", "/admin/integrations/1/deliveries/1", {}, dict(ADMIN_ONLY, admin=404)),
    ("POST", "/admin/integrations/1/deliveries/1/resend", {}, dict(ADMIN_ONLY, admin=404)),
    # API tokens: integration 999999 doesn't exist, so the admin is told so (404); everyone
    # else is refused before the lookup. tests/web/test_api_tokens_admin.py does the rest.
    ("GET", "/admin/integrations/999999/tokens", {}, dict(ADMIN_ONLY, admin=404)),
    ("POST", "/admin/integrations/999999/tokens", {"scopes": "bookings:read"},
     dict(ADMIN_ONLY, admin=404)),
    ("GET", "/admin/integrations/999999/tokens/1/revoke", {}, dict(ADMIN_ONLY, admin=404)),
    ("POST", "/admin/integrations/999999/tokens/1/revoke", {"confirmed": "yes"},
     dict(ADMIN_ONLY, admin=404)),
]


def make_ids(world):
    from portal.bookings.models import Assignment
    from tests.support.factories import booking
    from datetime import timedelta
    both_past = booking(world.customer, world.service, -timedelta(hours=3), world.fw)
    Assignment.create(booking=both_past, staff=world.fw2)
    message = OutboxMessage.create(dedupe_key="test:1", to_address="customer@example.com",
                                   subject="Hello", body_text="Hi", status="dead", attempts=8)
    notice = Notification.create(staff=world.fw, booking=world.upcoming, kind="test",
                                 message="A test notice")
    return {"upcoming": world.upcoming.ref, "past": world.past.ref,
            "both_past": both_past.ref, "message": message.id,
            "reason": CancellationReason.select().first().id, "fw_without_id": world.fw2.id,
            "notice": notice.id, "customer_id": world.customer.id,
            "service_id": world.service.id}


def snapshot():
    """Everything a back-office request could change."""
    return {
        "bookings": sorted((b.id, b.status, b.version) for b in Booking.select()),
        "audit": AuditEvent.select().count(),
        "staff": sorted((s.id, s.active, s.can_edit_booking_status) for s in Staff.select()),
        "customers": sorted(Customer.select(Customer.id, Customer.name, Customer.email,
                                            Customer.phone, Customer.address).tuples()),
        "services": sorted(Service.select().tuples()),
        "settings": Settings.select().dicts().get(),
        "outbox": sorted((m.id, m.status, m.attempts) for m in OutboxMessage.select()),
        "read": sorted((n.id, n.read_at is None) for n in Notification.select()),
        "reasons": sorted((r.id, r.label, r.active) for r in CancellationReason.select()),
    }


def act_as(client, world, role):
    email = {"customer": world.customer.email, "fw_without": world.fw2.email,
             "fw_with": world.fw.email, "admin": world.admin.email}.get(role)
    if email:
        login(client, email)
    return csrf_from(client.get("/login", follow_redirects=True).get_data(as_text=True))


class Route:
    """One MATRIX row and the data its five roles are tried on."""

    def __init__(self, row):
        self.method, self.url, self.data, self.expected = row
        self.world = self.ids = None
        self.changed = False  # a served POST may have changed the data: build it again


@pytest.fixture(scope="module")
def route(request, app):
    """Module-scoped, so pytest runs a route's five roles one after another."""
    return Route(request.param)


@pytest.fixture
def world_and_ids(app, route, role):
    """The world and its ids, built once per route instead of once per role: a refused request
    changes nothing (the test checks that), so the next role finds the same data. Only after
    a served POST is it emptied and built again."""
    database.connect(reuse_if_open=True)
    if route.world is None or route.changed:
        empty_tables()
        route.world = build_world()
        route.ids, route.changed = make_ids(route.world), False
    yield route.world, route.ids
    route.changed = route.changed or (route.method == "POST" and route.expected[role] == OK)
    if not database.is_closed():
        database.close()


@pytest.fixture
def world(world_and_ids):
    return world_and_ids[0]


@pytest.fixture
def ids(world_and_ids):
    return world_and_ids[1]


@pytest.fixture
def method(route):
    return route.method


@pytest.fixture
def url(route):
    return route.url


@pytest.fixture
def data(route):
    return route.data


@pytest.fixture
def expected(route, role):
    return route.expected[role]


@pytest.mark.builds_own_data
@pytest.mark.parametrize("route", MATRIX, indirect=True, scope="module",
                         ids=[f"{row[0]}-{row[1]}" for row in MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_role_by_endpoint(client, world, ids, method, url, data, role, expected):
    csrf = act_as(client, world, role)
    before = snapshot()
    url = url.format(**ids)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": csrf, **data})
    status, location = response.status_code, response.headers.get("Location", "")
    assert status < 500, response.get_data(as_text=True)
    if expected == OK:
        assert status < 400 and "/login" not in location, (status, location)
        return
    assert status == expected, (status, response.get_data(as_text=True)[:300])
    if status == 302:
        assert "/login" in location
    else:
        assert "<html" in response.get_data(as_text=True)  # a page that says what happened
    assert snapshot() == before, "a refused request changed something"


def test_every_back_office_route_is_in_the_matrix(app):
    dummy = {"upcoming": "BK-AAAAAA", "past": "BK-AAAAAA", "both_past": "BK-AAAAAA",
             "message": 1, "reason": 1, "fw_without_id": 1, "notice": 1, "customer_id": 1,
             "service_id": 1}
    urls = app.url_map.bind("localhost")
    covered = {(urls.match(url.format(**dummy).split("?")[0], method)[0], method)
               for method, url, _, _ in MATRIX}
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              if rule.rule.startswith(("/admin", "/fieldworker"))
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes - covered == set(), "back-office routes without an authorization row"
