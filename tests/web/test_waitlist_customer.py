"""Customers join the waitlist from the booking and reschedule pages, see their entries under
Account and leave them; every bad form is a clear 4xx that changes nothing."""
from datetime import timedelta

import pytest

from portal.audit import AuditEvent
from portal.bookings.waitlist_models import LEFT, WaitlistEntry
from portal.kernel.clock import utcnow
from portal.kernel.timefmt import to_local
from portal.settings import Settings
from tests.support.days import working_day
from tests.support.forms import csrf_from
from tests.support.pages import text

URL = "/account/waitlist"


def day(ahead=7):
    today = to_local(utcnow(), Settings.current().timezone).date()
    return working_day(today, ahead)


def post(client, **fields):
    data = {"csrf_token": csrf_from(text(client.get(URL))), "first": day().isoformat(),
            "last": (day() + timedelta(days=3)).isoformat(), "times": "morning", **fields}
    return client.post(URL, data={k: v for k, v in data.items() if v is not None})


def state():
    return ([(e.id, e.state) for e in WaitlistEntry.select().order_by(WaitlistEntry.id)],
            AuditEvent.select().count())


def test_the_booking_pages_lead_to_the_waitlist(customer_client, world):
    page = text(customer_client.get(f"/book?service={world.service.id}"))
    assert f"/account/waitlist?service={world.service.id}&date=" in page
    page = text(customer_client.get(f"/bookings/{world.later.ref}/reschedule"))
    assert "Join the waitlist" in page
    page = text(customer_client.get(f"{URL}?service={world.service.id}&date={day()}"))
    assert f'value="{day().isoformat()}"' in page


def test_join_see_and_leave(customer_client, world):
    response = post(customer_client, service=world.service.id)
    assert response.status_code == 302
    [entry] = WaitlistEntry.select()
    assert (entry.customer_id, entry.first_day, entry.times, entry.start_minute,
            entry.end_minute) == (world.customer.id, day(), "morning", 0, 12 * 60)
    assert entry.expires_at > utcnow() + timedelta(days=7)
    page = text(customer_client.get(URL))
    assert "Regular clean" in page and "mornings" in page
    assert post(customer_client, service=world.service.id).status_code == 409  # the same again
    leave = customer_client.post(f"{URL}/{entry.id}/leave", data={"csrf_token": csrf_from(page)})
    assert leave.status_code == 302
    assert WaitlistEntry.get_by_id(entry.id).state == LEFT
    assert "You're not waiting for anything." in text(customer_client.get(URL))
    again = customer_client.post(f"{URL}/{entry.id}/leave", data={"csrf_token": csrf_from(page)})
    assert again.status_code == 409 and "already left" in text(again)


def test_a_time_range(customer_client, world):
    assert post(customer_client, service=world.service.id, times="range", start="09:30",
                end="13:00").status_code == 302
    entry = WaitlistEntry.get()
    assert (entry.start_minute, entry.end_minute) == (9 * 60 + 30, 13 * 60)


BAD = [
    ({"service": "abc"}, 422, "Choose one of the services listed."),
    ({"service": "99999"}, 404, "isn't offered any more"),
    ({"first": "yesterday"}, 422, "isn't a date"),
    ({"first": "2001-01-01", "last": "2001-01-02"}, 422, "already passed"),
    ({"last": "2000-01-01"}, 422, "on or after the first date"),
    ({"last": "2999-01-01"}, 422, "at most 180 days ahead"),
    ({"times": "brunch"}, 422, "Choose mornings"),
    ({"times": "range", "start": "13:00", "end": "09:00"}, 422, "must be after"),
    ({"times": "range", "start": "9", "end": "25:00"}, 422, "hours and minutes"),
    ({"csrf_token": "forged"}, 400, "nothing was changed"),
]


@pytest.mark.parametrize("fields, status, words", BAD)
def test_bad_input_is_refused_and_changes_nothing(customer_client, world, fields, status,
                                                  words):
    before = state()
    fields = {"service": world.service.id, **fields}
    response = post(customer_client, **fields)
    assert response.status_code == status, text(response)
    assert words in text(response)
    assert state() == before


def test_others_entries_are_not_theirs_to_leave(client, customer_client, world):
    from portal.bookings.waitlist import join
    theirs = join(world.other.id, world.service.id, day(), day(), "any")
    page = text(customer_client.get(URL))
    before = state()
    response = customer_client.post(f"{URL}/{theirs.id}/leave",
                                    data={"csrf_token": csrf_from(page)})
    assert response.status_code == 404 and "couldn't find" in text(response)
    assert state() == before


def test_logged_out_visitors_are_sent_to_log_in(client, world):
    assert client.get(URL).status_code in (302, 401)


def test_the_page_reads_a_fixed_number_of_queries(customer_client, world):
    from portal.bookings.waitlist import join
    from tests.support.queries import queries_for
    join(world.customer.id, world.service.id, day(), day(), "any")
    before = queries_for(customer_client, URL)
    for n in range(1, 9):
        join(world.customer.id, world.service.id, day(), day() + timedelta(days=n), "any")
    assert text(customer_client.get(URL)).count("Leave</button>") == 9
    assert queries_for(customer_client, URL) == before <= 6, before
