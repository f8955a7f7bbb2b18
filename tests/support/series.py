"""Recurring series for tests: staff and Casey on clients of their own, a weekly series booked
through the admin's New booking form, and reading what its cancellation left behind."""
import email
import email.policy
import re
from types import SimpleNamespace

import pytest

from portal.bookings.models import Booking
from portal.bookings.series_models import BookingSeries
from portal.messaging.models import OutboxMessage
from tests.support.back_office import post
from tests.support.forms import login
from tests.support.pages import text
from tests.support.slots import free

URL = "/admin/bookings/new"


def series_start(service, days_ahead=21):
    """A free start far enough ahead that the world's own bookings are behind it."""
    return free(service, days_ahead=days_ahead)


def book_weekly(client, world, slot, count=6, **extra):
    form = {"customer": str(world.customer.id), "service": str(world.service.id),
            "start": slot.starts_at.isoformat(), "address": "", "notes": "",
            "repeat": "weekly", "repeat_every": "1", "repeat_end": "count",
            "repeat_count": str(count), **extra}
    return post(client, URL, {k: v for k, v in form.items() if v is not None},
                page=f"{URL}?customer={world.customer.id}")


def visits(series_id):
    return list(Booking.select().where(Booking.series == series_id)
                .order_by(Booking.series_position))


def weekly_series(client, world):
    """A weekly series of six for Casey, booked by `client` (staff): its visits in order."""
    response = book_weekly(client, world, series_start(world.service))
    assert response.status_code == 302, text(response)
    [series] = BookingSeries.select()
    return visits(series.id)


# Each its own client, not pytest-flask's `client`: a test may act as both at once.
@pytest.fixture
def staff(app, world):
    client = app.test_client()
    login(client, world.admin.email)
    return client


@pytest.fixture
def casey(app, world):
    client = app.test_client()
    login(client, world.customer.email)
    return client


def series_emails(app):
    """The series cancellation emails queued, as the worker renders them (text, .ics)."""
    rows = OutboxMessage.select().where(OutboxMessage.template == "series_cancelled")
    with app.test_request_context():
        return [SimpleNamespace(to_address=r.to_address, subject=r.subject,
                                body_text=r.body_text, body_html=r.body_html, ics=r.ics)
                for r in rows]


def calendars(ics):
    """[(UID, METHOD, DTSTART)] for each VCALENDAR in an .ics text (one per file sent)."""
    found = []
    for piece in ics.split("BEGIN:VCALENDAR")[1:]:
        uid = re.search(r"^UID:(.+?)\r?$", piece, re.M).group(1)
        method = re.search(r"^METHOD:(.+?)\r?$", piece, re.M).group(1)
        start = re.search(r"^DTSTART:(.+?)\r?$", piece, re.M).group(1)
        found.append((uid, method, start))
    return found


def ics_parts(raw_message):
    """[(filename, .ics text)] of an email as received."""
    message = email.message_from_bytes(raw_message, policy=email.policy.default)
    return [(part.get_filename(), part.get_content()) for part in message.walk()
            if part.get_content_type() == "text/calendar"]
