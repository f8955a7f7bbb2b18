"""The reschedule picker in words people use: "Your booking now", the zone as a place, "Free
times" only when they are checked against other bookings, a week strip saying which days have
times, and the booking's own time marked rather than offered."""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from portal.bookings.models import Booking
from portal.bookings.schedule_models import BlockedTime
from portal.kernel.clock import utcnow
from portal.kernel.timefmt import to_local
from portal.settings import Settings
from tests.support.pages import words
from tests.support.slots import free

NEW_YORK = ZoneInfo("America/New_York")
HX_TIMES = {"HX-Request": "true", "HX-Target": "reschedule-times"}


@pytest.fixture
def aligned(world):
    """world.upcoming moved onto a bookable start, so the picker lists its own time."""
    slot = free(world.service, days_ahead=3, index=2)
    Booking.update(starts_at=slot.starts_at, ends_at=slot.ends_at).where(
        Booking.id == world.upcoming.id).execute()
    return Booking.get_by_id(world.upcoming.id)


def picker(client, booking, day=None, headers=None):
    day = day or to_local(booking.starts_at, "America/New_York").date()
    return client.get(f"/bookings/{booking.ref}/reschedule?date={day.isoformat()}",
                      headers=headers or {})


def test_the_summary_and_legend_read_as_people_say_them(customer_client, aligned):
    text = words(picker(customer_client, aligned))
    assert "Your booking now" in text and "Current time" not in text
    assert "(New York time)" in text and "America/New_York" not in text
    assert "Free times on" in text


def test_the_booking_own_time_is_marked_not_offered(customer_client, aligned):
    html = picker(customer_client, aligned).get_data(as_text=True)
    assert f'value="{aligned.starts_at.isoformat()}"' not in html  # no radio for it
    assert "your booking now" in html and 'class="time-chip current-slot"' in html
    assert html.count('name="start"') >= 2  # the others stay on offer


def test_without_real_time_availability_the_times_are_not_called_free(customer_client, aligned):
    Settings.update(real_time_availability=False).execute()
    text = words(picker(customer_client, aligned))
    assert "Free times" not in text and "Times on" in text


def strip_of(html):
    start = html.index('class="week-strip"')
    return html[start:html.index("</nav>", start)]


def day_link(strip, day):
    """The strip's <a> for `day`."""
    at = strip.index(f"?date={day.isoformat()}")
    return strip[strip.rindex("<a ", 0, at):strip.index("</a>", at)]


def test_the_week_strip_says_which_days_have_times(customer_client, aligned):
    day = to_local(aligned.starts_at, "America/New_York").date()
    html = picker(customer_client, aligned, headers=HX_TIMES).get_data(as_text=True)
    assert html.lstrip().startswith('<fieldset id="reschedule-times"')  # the swapped fragment
    strip = strip_of(html)
    today = to_local(utcnow(), "America/New_York").date()
    monday = max(today, day - timedelta(days=day.weekday()))
    week = [monday + timedelta(days=n) for n in range(7)]
    assert [d for d in week if f"?date={d.isoformat()}" in strip] == week
    assert 'aria-current="date"' in day_link(strip, day)
    assert "has-times" in day_link(strip, day) and " times</span></small>" in day_link(strip, day)
    for d in week:
        if d.weekday() == 6:  # the default week is closed on Sundays
            assert "no-times" in day_link(strip, d) and "none" in day_link(strip, d)


def test_a_day_without_times_points_to_the_next_free_day(customer_client, world, aligned):
    day = to_local(aligned.starts_at, "America/New_York").date()
    blocked = day - timedelta(days=1) if day.weekday() > 0 else day + timedelta(days=1)
    if blocked.weekday() > 4 or blocked <= to_local(utcnow(), "America/New_York").date():
        blocked = day  # a weekday still to come that has times, blocked all day below
    start = datetime.combine(blocked, time(), NEW_YORK).astimezone(timezone.utc)
    start = start.replace(tzinfo=None)
    BlockedTime.create(staff=None, starts_at=start, ends_at=start + timedelta(hours=24),
                       reason="Training")  # that whole local day, nothing either side
    page = picker(customer_client, aligned, day=blocked)
    text = words(page)
    assert "No free times on this day." in text
    later = [d for d in (blocked + timedelta(days=n) for n in range(1, 7))
             if f"?date={d.isoformat()}" in strip_of(page.get_data(as_text=True))
             and "has-times" in day_link(strip_of(page.get_data(as_text=True)), d)]
    if later:
        assert f"Next: {later[0].strftime('%A %-d %B')}." in text
    else:
        assert "Try another date." in text


def test_a_strip_link_works_without_javascript(customer_client, aligned):
    day = to_local(aligned.starts_at, "America/New_York").date() + timedelta(days=1)
    page = picker(customer_client, aligned, day=day)
    assert page.status_code == 200 and "Reschedule" in words(page)
    assert f"Free times on {day.strftime('%A %-d %B %Y')}" in words(page)
