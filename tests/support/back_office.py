"""Shared by the back-office tests (services, customers, new booking, booking details, business
profile): a logged-in admin client, posting a form with its page's CSRF token, and a snapshot
of every row a refused request must leave alone."""
import pytest

from portal.audit import AuditEvent
from portal.billing.models import Invoice, InvoiceLine
from portal.bookings.models import Assignment, Booking, Service
from portal.bookings.schedule_models import ServiceStaff, SlotClaim
from portal.messaging.models import Notification, OutboxMessage
from portal.people import Customer
from portal.settings import Settings
from tests.support.forms import csrf_from, login
from tests.support.pages import text  # noqa: F401 (its importers read it from here)

HX = {"HX-Request": "true"}
TABLES = (Customer, Service, ServiceStaff, Booking, Assignment, SlotClaim, Invoice,
          InvoiceLine, AuditEvent, OutboxMessage, Notification, Settings)


@pytest.fixture
def admin_client(app, world):
    # Its own client, not pytest-flask's `client` (see tests/web/test_staff_admin.py).
    client = app.test_client()
    login(client, world.admin.email)
    return client


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replaces pytest-flask's, so each request loads its user afresh (as in production)."""


def post(client, url, data, page=None, headers=None):
    """POST `data` with the CSRF token of `page` (default: the URL itself)."""
    token = csrf_from(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, headers=headers or {})


def everything():
    """Every row of the tables a back-office form can change, for before/after comparisons."""
    return {model.__name__: sorted(tuple(sorted((k, str(v)) for k, v in row.items()))
                                   for row in model.select().dicts())
            for model in TABLES}
