"""The cancellations report's figures, against a fixture worked out by hand (report_fixture)."""
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from portal.reports.cancellations import cancellation_report
from portal.reports.period import ReportFilter, buckets
from tests.support.report_fixture import PERIOD, build_report_world

TODAY = date(2026, 6, 17)


@pytest.fixture
def rw(app):
    return build_report_world()


def report(**args):
    flt = ReportFilter.from_args(MultiDict({**PERIOD, **args}), "America/New_York", TODAY)
    return cancellation_report(flt, late_hours=24)


def test_headline_figures(rw):
    r = report()
    assert (r.booked, r.cancelled) == (10, 4)
    assert r.rate == pytest.approx(0.40)
    assert (r.previous_booked, r.previous_cancelled) == (4, 1)
    assert r.previous_rate == pytest.approx(0.25)
    assert r.change == pytest.approx(15.0)
    assert (r.no_shows, r.late, r.late_hours) == (1, 1, 24)
    assert (r.rescheduled, r.moves) == (2, 3)


def test_weekly_trend_against_the_previous_period(rw):
    weeks = [(w.label, w.booked, w.cancelled, w.previous_label, w.previous_booked,
              w.previous_cancelled) for w in report().weeks]
    assert weeks == [("Jun 1–7", 5, 2, "May 18–24", 2, 0),
                     ("Jun 8–14", 5, 2, "May 25–31", 2, 1)]


def test_notice_histogram(rw):
    assert [(s.label, s.count) for s in report().notice] == [
        ("Under 24 hours", 1), ("24–48 hours", 1), ("2–7 days", 1), ("Over 7 days", 1)]


def test_reasons_channels_and_other_notes(rw):
    r = report()
    assert [(s.label, s.count, s.share, s.key) for s in r.reasons] == [
        ("Other", 2, 0.5, True), ("Price", 1, 0.25, False),
        ("Schedule conflict", 1, 0.25, False)]
    assert sorted((s.key, s.count) for s in r.channels) == [
        ("admin", 1), ("email_link", 1), ("fieldworker", 1), ("portal", 1)]
    assert [(ref, note) for ref, _, _, note in r.other_notes] == [
        ("BK-TEST07", '=Gate locked, "side" door'), ("BK-TEST03", "Dog is sick")]


def test_by_service_and_fieldworker(rw):
    r = report()
    assert [(s.label, s.booked, s.cancelled, s.rescheduled, s.moves) for s in r.services] == [
        ("Clean", 6, 2, 2, 3), ("Windows", 4, 2, 0, 0)]
    assert [(s.label, s.booked, s.cancelled) for s in r.fieldworkers] == [
        ("Fred Worker", 6, 3), ("Gina Helper", 5, 2)]
    assert [s.label for s in r.top_rescheduled] == ["Clean"]


def test_money(rw):
    r = report()
    assert r.fees == {"cancellation_fee": 2500, "no_show_fee": 3000}
    assert r.fees_charged == 5500
    assert r.lost == 32000
    assert r.net_lost == 29500
    assert r.refunds == {"requested": (1, 4000), "processed": (1, 10000)}


def test_service_filter(rw):
    r = report(service=str(rw.windows.id))
    assert (r.booked, r.cancelled, r.no_shows) == (4, 2, 1)
    assert (r.previous_booked, r.previous_cancelled) == (1, 0)
    assert [(s.label, s.count) for s in r.notice] == [
        ("Under 24 hours", 0), ("24–48 hours", 1), ("2–7 days", 1), ("Over 7 days", 0)]
    assert r.fees == {"no_show_fee": 3000}


def test_fieldworker_filter_counts_shared_jobs_once(rw):
    r = report(fieldworker=str(rw.gina.id))
    assert (r.booked, r.cancelled) == (5, 2)
    assert [(s.label, s.booked) for s in r.fieldworkers] == [("Gina Helper", 5)]


def test_channel_and_initiator_narrow_cancellations_only(rw):
    r = report(channel="portal")
    assert (r.booked, r.cancelled, r.no_shows) == (10, 1, 1)
    assert r.rate == pytest.approx(0.10)
    assert (r.previous_booked, r.previous_cancelled) == (4, 1)
    staff = report(initiator="staff")
    assert staff.cancelled == 2 and {s.key for s in staff.channels} == {"admin", "fieldworker"}
    assert (report(initiator="integration").cancelled, report(initiator="integration").booked) \
        == (0, 10)
    customers = report(initiator="customer")
    assert customers.cancelled == 2
    assert customers.refunds == {"requested": (1, 4000), "processed": (1, 10000)}


def test_an_empty_period_has_no_rate(rw):
    r = report(**{"from": "2025-01-01", "to": "2025-01-07"})
    assert (r.booked, r.cancelled, r.rate, r.change) == (0, 0, None, None)
    assert r.reasons == [] and r.weeks[0].rate is None


@pytest.mark.parametrize("args,start,end,note", [
    ({}, date(2026, 5, 19), TODAY, None),
    ({"preset": "7d"}, date(2026, 6, 11), TODAY, None),
    ({"preset": "90d"}, date(2026, 3, 20), TODAY, None),
    ({"preset": "month"}, date(2026, 6, 1), TODAY, None),
    ({"preset": "yearly"}, date(2026, 5, 19), TODAY, "is not a period"),
    ({"from": "2026-02-01", "to": "2026-01-01"}, date(2026, 1, 1), date(2026, 2, 1), "swapped"),
    ({"preset": "custom"}, date(2026, 5, 19), TODAY, "Pick a first and a last day"),
    ({"preset": "custom", "from": "2020-01-01", "to": "2026-01-01"}, date(2022, 12, 31),
     date(2026, 1, 1), "at most"),
    ({"service": "abc", "channel": "fax", "initiator": "robot"}, date(2026, 5, 19), TODAY,
     "is not a"),
])
def test_periods_and_bad_values(app, args, start, end, note):
    flt = ReportFilter.from_args(MultiDict(args), "America/New_York", TODAY)
    assert (flt.start, flt.end) == (start, end)
    assert (note is None) == (not flt.notes)
    if note:
        assert any(note in n for n in flt.notes)


def test_previous_period():
    month = ReportFilter(preset="month", start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert month.previous == (date(2026, 2, 1), date(2026, 2, 28))
    week = ReportFilter(preset="7d", start=date(2026, 6, 11), end=date(2026, 6, 17))
    assert week.previous == (date(2026, 6, 4), date(2026, 6, 10))


def test_long_periods_are_cut_by_month():
    cut = buckets(date(2025, 12, 15), date(2026, 9, 3))
    assert [b.label for b in cut][:2] == ["Dec 2025", "Jan 2026"]
    assert (cut[0].start, cut[-1].end) == (date(2025, 12, 15), date(2026, 9, 3))
    assert [b.label for b in buckets(date(2026, 6, 29), date(2026, 7, 12))] == [
        "Jun 29–Jul 5", "Jul 6–12"]
