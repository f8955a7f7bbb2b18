"""Migration 0032 on a database whose report summary is already counted: report_state is
emptied, so the next report counts everything again, report_money_month included, and the
fees and refunds read from its whole months are the report world's, worked out by hand
(tests/support/report_fixture.py)."""
from datetime import date

from werkzeug.datastructures import MultiDict

from portal.reports.cancellations import cancellation_report
from portal.reports.models import ReportMoneyMonth, ReportState
from portal.reports.period import ReportFilter
from tests.support.report_fixture import report_world_before

TZ = "America/New_York"


def test_the_next_report_counts_fees_and_refunds_per_month(make_database_url):
    with report_world_before(make_database_url, "rebook_report_money_months_backfill",
                             "0031_report_reasons_notes", TZ) as runner:
        assert "0032_report_money_month" in runner.up()
        assert ReportState.select().count() == 0  # the next report counts everything
        # May and June whole: their fees and refunds come from report_money_month
        flt = ReportFilter.from_args(MultiDict({"preset": "custom", "from": "2026-05-01",
                                                "to": "2026-06-30"}), TZ, date(2026, 7, 1))
        report = cancellation_report(flt, 24)
        assert ReportMoneyMonth.select().count() > 0
        assert report.fees == {"cancellation_fee": 2500, "no_show_fee": 3000}
        assert report.refunds == {"requested": (1, 4000), "processed": (1, 10000)}
