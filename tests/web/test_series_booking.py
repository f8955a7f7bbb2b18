"""Booking a series: a monthly one for a new caller through New booking, and customers
booking their own repeating visits only when the business allows it."""
from datetime import timedelta

from portal.audit import AuditEvent
from portal.bookings.series_models import BookingSeries
from portal.kernel.timefmt import to_local
from tests.support.back_office import everything
from tests.support.forms import csrf_from
from tests.support.pages import text
from tests.support.request_context import _push_request_context  # noqa: F401 (one g a request)
from tests.support.series import book_weekly, series_start, visits
from tests.support.series import casey, staff  # noqa: F401 (fixtures)


def test_a_monthly_series_for_a_new_caller_keeps_the_weekday_of_the_month(staff, world):
    slot = series_start(world.service)
    response = book_weekly(staff, world, slot, count=3, customer=None, repeat="monthly",
                           new_name="Mo Monthly", new_email="mo@example.org")
    assert response.status_code == 302, text(response)
    [series] = BookingSeries.select()
    made = visits(series.id)
    tz = world.settings.timezone
    days = [to_local(b.starts_at, tz).date() for b in made]
    assert len(made) == 3 and len({d.weekday() for d in days}) == 1
    assert len({(d.day - 1) // 7 for d in days}) == 1  # the same "2nd Tuesday"
    assert len({b.customer_id for b in made}) == 1
    assert made[0].customer.email == "mo@example.org"


def book_own(client, world, slot, **extra):
    page = text(client.get("/book"))
    form = {"csrf_token": csrf_from(page), "service": str(world.service.id),
            "start": slot.starts_at.isoformat(), "repeat": "weekly", "repeat_every": "2",
            "repeat_end": "count", "repeat_count": "3", **extra}
    return client.post("/book", data=form)


def test_customers_book_a_series_only_when_the_business_allows_it(casey, world):
    slot = series_start(world.service)
    assert 'name="repeat"' not in text(casey.get("/book"))
    before = everything()
    refused = book_own(casey, world, slot)
    assert refused.status_code == 403
    assert "Repeating visits can't be booked online" in text(refused)
    assert everything() == before

    world.settings.customers_may_book_series = True
    world.settings.save()
    assert 'name="repeat"' in text(casey.get("/book"))
    response = book_own(casey, world, slot)
    assert response.status_code == 302, text(response)
    [series] = BookingSeries.select()
    made = visits(series.id)
    local = [to_local(b.starts_at, world.settings.timezone) for b in made]
    assert [d.date() - local[0].date() for d in local] == [timedelta(0), timedelta(weeks=2),
                                                          timedelta(weeks=4)]
    assert len({d.time() for d in local}) == 1
    assert {b.customer_id for b in made} == {world.customer.id}
    [made_event] = AuditEvent.select().where(AuditEvent.subject_type == "series")
    assert made_event.channel == "portal" and made_event.actor_kind == "customer"
