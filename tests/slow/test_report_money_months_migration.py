"""Migration 0032 on a database whose report summary is already counted: report_state is
emptied, so the next report counts everything again, report_money_month included, and the
fees and refunds read from its whole months are the report world's, worked out by hand
(tests/support/report_fixture.py)."""
from datetime import date

from playhouse.db_url import connect
from playhouse.migrations import Runner
from werkzeug.datastructures import MultiDict

from portal.kernel.db import database
from portal.kernel.migrate import MIGRATIONS
from portal.models import ALL_MODELS
from portal.reports.cancellations import cancellation_report
from portal.reports.models import ReportMoneyMonth, ReportState
from portal.reports.period import ReportFilter
from tests.support.database import models_as_of
from tests.support.report_fixture import build_report_world

TZ = "America/New_York"


def test_the_next_report_counts_fees_and_refunds_per_month(make_database_url):
    db = connect(make_database_url("rebook_report_money_months_backfill"))
    previous = database.obj  # the report reads through the proxy: pointed here, then back
    database.initialize(db)
    try:
        _migrate_and_report(db)
    finally:
        database.initialize(previous)
        db.close()


def _migrate_and_report(db):
    runner = Runner(db, str(MIGRATIONS))
    runner.up("0031_report_reasons_notes")
    mark = "?" if "sqlite" in type(db).__name__.lower() else "%s"
    with db.bind_ctx(ALL_MODELS):
        with models_as_of(db):  # the tables later migrations add aren't there yet
            build_report_world()
        db.execute_sql(f"INSERT INTO report_state (timezone) VALUES ({mark})", [TZ])
        assert "0032_report_money_month" in runner.up()
        assert ReportState.select().count() == 0  # the next report counts everything
        # May and June whole: their fees and refunds come from report_money_month
        flt = ReportFilter.from_args(MultiDict({"preset": "custom", "from": "2026-05-01",
                                                "to": "2026-06-30"}), TZ, date(2026, 7, 1))
        report = cancellation_report(flt, 24)
        assert ReportMoneyMonth.select().count() > 0
        assert report.fees == {"cancellation_fee": 2500, "no_show_fee": 3000}
        assert report.refunds == {"requested": (1, 4000), "processed": (1, 10000)}
