"""when_range turns each end into local time once and asks for the language once
(kernel/timefmt.py): the same text as when() of the start beside local_time() of the end (or
when() of both, across days), in each language, across a daylight-saving change."""
from datetime import datetime, timedelta

import flask_babel
import pytest

from portal.kernel.timefmt import local_time, to_local, when, when_range


@pytest.mark.parametrize("language", ["en", "de", "es"])
def test_a_range_is_its_two_ends_as_when_and_local_time_give_them(app, language):
    tz = "America/New_York"
    starts = [datetime(2026, 11, 24, 14), datetime(2026, 11, 1, 5, 30),  # 1:30 AM EDT
              datetime(2026, 11, 1, 6, 30), datetime(2026, 11, 25, 3, 30)]  # late: next day
    days = set()
    with app.test_request_context("/"), flask_babel.force_locale(language):
        for start in starts:
            for length in (timedelta(hours=1), timedelta(hours=2), timedelta(days=1)):
                end = start + length
                same_day = to_local(start, tz).date() == to_local(end, tz).date()
                expected = (f"{when(start, tz)} – {local_time(end, tz, zone=True)}"
                            if same_day else f"{when(start, tz)} – {when(end, tz)}")
                assert when_range(start, end, tz) == expected, (start, length)
                days.add(same_day)
    assert days == {True, False}
