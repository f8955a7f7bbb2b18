"""Migration 0029 on a database that already has fees and refunds: the report's summary is
counted again on the next report (report_state emptied), report_money then holds every fee
and refund, and from then on the triggers mark each change to them."""
from collections import Counter

from portal.billing.models import Refund
from portal.kernel.db import database
from portal.reports.models import REFUND, ReportDirty, ReportState
from portal.reports.summary import count_money
from tests.support.report_fixture import report_world_before


def test_the_next_report_counts_the_money_already_there(make_database_url):
    with report_world_before(make_database_url, "rebook_report_money_backfill",
                             "0028_settings_cache_stamp") as runner:
        database.execute_sql("DELETE FROM report_dirty")
        assert "0029_report_money_customer_names" in runner.up()
        assert ReportState.select().count() == 0  # the next refresh counts everything
        money = Counter()
        for staff_id, _, _, status, _, _, kind, refund_status, items, amount in count_money(
                "America/New_York"):
            if staff_id == 0:
                money[(kind, refund_status, status)] += amount
        assert money == {("cancellation_fee", None, "cancelled"): 2500,
                         ("no_show_fee", None, "no_show"): 3000,
                         (REFUND, "requested", "cancelled"): 4000,
                         (REFUND, "processed", "cancelled"): 10000}
        Refund.update(status="approved").where(Refund.status == "requested").execute()
        assert ReportDirty.select().count() == 1  # the triggers are in place
