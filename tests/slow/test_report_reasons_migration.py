"""Migration 0031 on a database whose report summary is already counted: report_state is
emptied, so the next report counts everything again, report_reason_month included, and the
reasons, channels and "Other" notes read from it are worked out by hand from the report
world (tests/support/report_fixture.py)."""
from datetime import date

from werkzeug.datastructures import MultiDict

from portal.reports.cancellations import cancellation_report
from portal.reports.models import ReportReasonMonth, ReportState
from portal.reports.period import ReportFilter
from tests.support.report_fixture import report_world_before

TZ = "America/New_York"


def test_the_next_report_counts_reasons_per_month(make_database_url):
    with report_world_before(make_database_url, "rebook_report_reasons_backfill",
                             "0030_report_month", TZ) as runner:
        assert "0031_report_reasons_notes" in runner.up()
        assert ReportState.select().count() == 0  # the next report counts everything
        # May and June whole: their reasons and channels come from report_reason_month
        flt = ReportFilter.from_args(MultiDict({"preset": "custom", "from": "2026-05-01",
                                                "to": "2026-06-30"}), TZ, date(2026, 7, 1))
        report = cancellation_report(flt, 24)
        assert ReportReasonMonth.select().count() > 0
        # bookings 1, 3, 5, 7, 11 (May 31, 23:45 New York), 15 and 16
        assert [(s.label, s.count, s.key) for s in report.reasons] == [
            ("Price", 3, False), ("Other", 2, True), ("Schedule conflict", 2, False)]
        assert sorted((s.key, s.count) for s in report.channels) == [
            ("admin", 1), ("email_link", 1), ("fieldworker", 1), ("portal", 4)]
        assert [(ref, note) for ref, _, _, note in report.other_notes] == [
            ("BK-TEST07", '=Gate locked, "side" door'), ("BK-TEST03", "Dog is sick")]
