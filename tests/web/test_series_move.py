"""Moving part of a series through HTTP: this and following, or the whole series, by the same
shift as the visit given a new time; availability checked for every visit; all or nothing;
one email with an updated invite per visit; a made-up scope changes nothing."""
import re
from datetime import timedelta

import pytest

from portal.audit import AuditEvent
from portal.bookings.models import Booking
from portal.bookings.scheduling import book_appointment
from portal.kernel.actors import Actor
from portal.kernel.timefmt import to_local, when
from portal.messaging.models import OutboxMessage
from tests.support.back_office import everything
from tests.support.forms import csrf_from
from tests.support.pages import text
from tests.support.request_context import _push_request_context  # noqa: F401 (one g a request)
from tests.support.series import calendars, weekly_series
from tests.support.series import casey, staff  # noqa: F401 (fixtures)


@pytest.fixture
def weekly(staff, world):
    return weekly_series(staff, world)


def move(client, booking, scope, starts_at, **extra):
    url = f"/bookings/{booking.ref}/reschedule"
    page = text(client.get(url))
    versions = dict(re.findall(r'name="versions_(\w+)" value="([^"]*)"', page))
    return client.post(url, data={"csrf_token": csrf_from(page), "version": str(booking.version),
                                  "start": starts_at.isoformat(), "scope": scope,
                                  "versions_following": versions.get("following", ""),
                                  "versions_all": versions.get("all", ""), **extra})


def test_this_and_following_move_by_the_same_shift_the_rest_stay(weekly, casey, world, app):
    page = text(casey.get(f"/bookings/{weekly[2].ref}/reschedule"))
    assert "This and following visits" in page and f'data-ref="{weekly[5].ref}"' in page
    # A week later: each visit takes the next one's old time, the last a new week.
    response = move(casey, weekly[2], "following", weekly[2].starts_at + timedelta(weeks=1))
    assert response.status_code == 302, text(response)
    fresh = [Booking.get_by_id(b.id) for b in weekly]
    assert [b.starts_at for b in fresh[:2]] == [b.starts_at for b in weekly[:2]]
    assert [b.starts_at for b in fresh[2:]] == [b.starts_at + timedelta(weeks=1)
                                                for b in weekly[2:]]
    assert not OutboxMessage.select().where(
        OutboxMessage.dedupe_key.startswith("booking_rescheduled")).count()
    [row] = OutboxMessage.select().where(OutboxMessage.template == "series_moved")
    with app.test_request_context():
        body, ics = row.body_text, row.ics
    tz = world.settings.timezone
    for old, new in zip(weekly[2:], fresh[2:]):
        assert f"{when(old.starts_at, tz)} -> {when(new.starts_at, tz)}" in body
    assert sorted(calendars(ics)) == sorted(
        (f"{b.ref}@rebook", "REQUEST", b.starts_at.strftime("%Y%m%dT%H%M%SZ"))
        for b in fresh[2:])
    [action] = AuditEvent.select().where(AuditEvent.action == "moved_following")
    assert all(b.ref in action.after for b in weekly[2:])


def test_a_taken_new_time_names_the_visit_and_moves_nothing(weekly, casey, world, app):
    # The next working day (the world is closed on Sundays; the series may fall on a Saturday).
    shift = timedelta(days=2 if to_local(weekly[0].starts_at,
                                         world.settings.timezone).weekday() == 5 else 1)
    target = weekly[4].starts_at + shift
    with app.test_request_context():  # both fieldworkers busy where the fifth visit would go
        for worker in (world.fw, world.fw2):
            book_appointment(world.other.id, world.service.id, target,
                             Actor("admin", world.admin.id), channel="admin",
                             fieldworker=worker.id)
    before = everything()
    response = move(casey, weekly[0], "all", weekly[0].starts_at + shift)
    assert response.status_code == 409
    assert f"The visit on {when(weekly[4].starts_at, world.settings.timezone)} can't move" in \
        text(response) and "Nothing was moved." in text(response)
    assert everything() == before


@pytest.mark.parametrize("scope", ["sideways", "x" * 11])
def test_a_made_up_scope_is_refused_and_changes_nothing(weekly, casey, scope):
    before = everything()
    response = move(casey, weekly[1], scope, weekly[1].starts_at + timedelta(weeks=1))
    assert response.status_code == 422
    assert "Choose which visits to move from the list." in text(response)
    assert everything() == before


def test_a_visit_changed_since_the_page_loaded_fails_the_move(weekly, casey):
    url = f"/bookings/{weekly[1].ref}/reschedule"
    page = text(casey.get(url))
    versions = dict(re.findall(r'name="versions_(\w+)" value="([^"]*)"', page))
    Booking.update(version=Booking.version + 1).where(Booking.id == weekly[3].id).execute()
    before = everything()
    response = casey.post(url, data={
        "csrf_token": csrf_from(page), "version": str(weekly[1].version), "scope": "following",
        "start": (weekly[1].starts_at + timedelta(weeks=1)).isoformat(),
        "versions_following": versions["following"]})
    assert response.status_code == 409 and "changed since the page loaded" in text(response)
    assert everything() == before
