"""Reports › Cancellations over HTTP: the page, its htmx fragment, the CSV, and query counts."""
import csv
import io
from datetime import timedelta

import pytest

from portal.bookings.models import Booking
from portal.reports import export
from tests.support.forms import login
from tests.support.queries import count_queries
from tests.support.report_fixture import build_report_world, utc

URL = "/admin/reports/cancellations?preset=custom&from=2026-06-01&to=2026-06-14"
CSV_URL = URL.replace("cancellations?", "cancellations.csv?")


@pytest.fixture
def admin(client, app):
    rw = build_report_world()
    login(client, "admin@example.com")
    client.rw = rw
    return client


def test_the_page_shows_the_figures(admin):
    html = admin.get(URL).get_data(as_text=True)
    assert "<h1>Cancellations</h1>" in html
    assert 'id="kpi-rate">40%<' in html
    assert "4 of 10 bookings." in html
    assert "▲ 15.0 points</span>" in html and "against 25% before" in html
    assert "Jun 1, 2026 – Jun 14, 2026" in html and "May 18, 2026 – May 31, 2026" in html
    # each chart has a title and a table with the same numbers behind it
    assert '<title id="chart-reasons-title">Cancellations by reason</title>' in html
    assert "Other: 2 · 50%; Price: 1 · 25%; Schedule conflict: 1 · 25%." in html
    assert '<th scope="row">Jun 1–7</th><td>5</td><td>2</td><td>40%</td>' in html
    assert "“Dog is sick”" in html and 'href="/admin/bookings/BK-TEST03"' in html
    assert "$25.00" in html and "$320.00" in html and "$295.00" in html
    assert f'href="{CSV_URL}"'.replace("&", "&amp;") in html


def test_filters_swap_the_report_with_htmx_and_keep_a_short_url(admin):
    response = admin.get(URL + f"&service={admin.rw.windows.id}&channel=&initiator=",
                         headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert '<section id="report"' in html
    assert "2 of 4 bookings." in html
    assert response.headers["HX-Push-Url"] == (
        f"/admin/reports/cancellations?preset=custom&from=2026-06-01&to=2026-06-14"
        f"&service={admin.rw.windows.id}")
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("query,message", [
    ("preset=forever", "is not a period"),
    ("preset=custom&from=2026-02-31", "is not a date"),
    ("service=1%3B%20DROP%20TABLE%20booking", "is not a service"),
    ("channel=" + "x" * 500, "is not a channel"),
    ("fieldworker=99999999999999", "is not a fieldworker"),
])
def test_bad_values_become_notes_not_errors(admin, query, message):
    response = admin.get(f"/admin/reports/cancellations?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html and 'role="alert"' in html
    assert "x" * 100 not in html  # a huge value is quoted back cut short


def _csv(response):
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))


def test_csv_has_one_row_per_cancellation(admin):
    response = admin.get(CSV_URL)
    assert response.is_streamed
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="cancellations-2026-06-01-to-2026-06-14.csv"')
    assert response.get_data(as_text=True).startswith("\ufeffReference,")
    rows = _csv(response)
    assert rows[0][:4] == ["Reference", "Appointment (America/New_York)",
                           "Cancelled at (America/New_York)", "Notice (hours)"]
    by_ref = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert list(by_ref) == ["BK-TEST01", "BK-TEST03", "BK-TEST05", "BK-TEST07"]
    first = by_ref["BK-TEST01"]
    assert (first["Appointment (America/New_York)"], first["Notice (hours)"], first["Fee"],
            first["Refund"], first["Refund status"]) == (
        "2026-06-02 10:00", "20.0", "25.00", "40.00", "requested")
    assert by_ref["BK-TEST05"]["Fieldworkers"] == "Fred Worker; Gina Helper"
    assert by_ref["BK-TEST05"]["Notice (hours)"] == "240.0"
    seventh = by_ref["BK-TEST07"]
    # quotes and commas survive, and a spreadsheet will not run the note as a formula
    assert seventh["Note"] == "'=Gate locked, \"side\" door"
    assert (seventh["Reason"], seventh["Channel"], seventh["Cancelled by"],
            seventh["Cancelled by (name)"]) == ("Other", "fieldworker", "fieldworker",
                                                "Fred Worker")
    assert by_ref["BK-TEST03"]["Cancelled by (name)"] == "Ada Admin"


def test_csv_follows_the_filters(admin):
    rows = _csv(admin.get(CSV_URL + "&initiator=staff"))
    assert [row[0] for row in rows[1:]] == ["BK-TEST03", "BK-TEST07"]


def test_csv_pages_through_ties_in_start_time(admin, monkeypatch):
    """Chunks seek past (start, id): bookings sharing a start time are neither lost nor
    repeated at a chunk's edge."""
    rw = admin.rw
    for n in range(5):
        Booking.create(ref=f"BK-TIE{n:02d}", customer=rw.casey, service=rw.clean,
                       starts_at=utc(6, 11, 9), ends_at=utc(6, 11, 10), price=100,
                       status="cancelled", cancelled_at=utc(6, 10, 9), cancel_channel="admin",
                       cancelled_by_kind="admin", cancelled_by_id=rw.admin.id)
    monkeypatch.setattr(export, "CHUNK", 2)
    refs = [row[0] for row in _csv(admin.get(CSV_URL))[1:]]
    assert refs == ["BK-TEST01", "BK-TEST03", "BK-TEST05", "BK-TIE00", "BK-TIE01", "BK-TIE02",
                    "BK-TIE03", "BK-TIE04", "BK-TEST07"]


def _more_bookings(rw, count):
    """More of everything the report groups by: bookings, cancellations, workers' jobs."""
    for n in range(count):
        start = utc(6, 1 + n % 14, 8) + timedelta(minutes=n)
        Booking.create(ref=f"BK-M{n:05d}", customer=rw.casey,
                       service=rw.clean if n % 2 else rw.windows, starts_at=start,
                       ends_at=start + timedelta(hours=1), price=100,
                       status="cancelled" if n % 3 else "completed",
                       cancelled_at=start - timedelta(hours=n % 200) if n % 3 else None,
                       cancel_channel="portal" if n % 3 else None,
                       cancel_reason_label=f"Reason {n % 7}" if n % 3 else None,
                       reschedule_count=n % 2)


def test_query_count_is_fixed_as_data_grows(admin):
    def queries(url):
        admin.get(url)
        with count_queries() as seen:
            assert admin.get(url).status_code == 200
        return len(seen)

    filtered = URL + f"&fieldworker={admin.rw.fred.id}&service={admin.rw.clean.id}"
    before = {url: queries(url) for url in (URL, filtered)}
    _more_bookings(admin.rw, 300)
    after = {url: queries(url) for url in (URL, filtered)}
    assert after == before
    assert max(before.values()) <= 16, before  # 15, and the waitlist's refilled count
