"""Migration 0020 on a database that already has orders: each cancelled order gets the stage
it was cancelled from (from its audit event), report_order_day counts them in the business
timezone, and from then on the triggers mark every change the report reads."""
from playhouse.db_url import connect
from playhouse.migrations import Runner

from portal.kernel.migrate import MIGRATIONS
from portal.models import ALL_MODELS
from portal.orders.models import Order
from portal.reports.models import ReportOrderDay, ReportOrderDirty
from portal.reports.summary import count_orders
from tests.support.database import models_as_of
from tests.support.report_fixture import build_report_world, utc


def _order(db, mark, n, customer_id, cancelled_at, stage, total):
    """A cancelled order and its audit event, as the code before 0020 wrote them."""
    db.execute_sql(
        'INSERT INTO "order" (ref, customer_id, status, total, cancelled_at, cancelled_by_kind, '
        "cancel_channel, cancel_reason_label, version, created_at) "
        f"VALUES ({', '.join([mark] * 10)})",
        [f"OR-OLD{n:03d}", customer_id, "cancelled", total, cancelled_at.isoformat(" "),
         "customer", "portal", "Price", 2, cancelled_at.isoformat(" ")])
    order_id = db.execute_sql('SELECT id FROM "order" WHERE ref = ' + mark,
                              [f"OR-OLD{n:03d}"]).fetchone()[0]
    db.execute_sql(
        "INSERT INTO audit_event (subject_type, subject_id, action, actor_kind, actor_label, "
        f"channel, before, after, note, created_at) VALUES ({', '.join([mark] * 10)})",
        ["order", order_id, "cancelled", "customer", "", "portal",
         '{"status": "%s", "version": 1}' % stage, "{}", "", cancelled_at.isoformat(" ")])


def test_the_migration_counts_the_orders_already_cancelled(make_database_url):
    db = connect(make_database_url("rebook_order_report_backfill"))
    runner = Runner(db, str(MIGRATIONS))
    runner.up("0018_customer_bookings_index")
    mark = "?" if "sqlite" in type(db).__name__.lower() else "%s"
    with db.bind_ctx(ALL_MODELS):
        with models_as_of(db):  # the columns later migrations add aren't there yet
            rw = build_report_world()  # America/New_York, with its report summary built
        # Jun 14 23:30 in New York is Jun 15 in UTC: counted on the 14th.
        _order(db, mark, 1, rw.casey.id, utc(6, 14, 23, 30), "placed", 2000)
        _order(db, mark, 2, rw.casey.id, utc(6, 2, 9), "processing", 3000)
        # The report was looked at before (its summary is in this timezone): 0020 counts the
        # orders in it. (With no report_state, the first report counts everything.)
        db.execute_sql(f"INSERT INTO report_state (timezone) VALUES ({mark})",
                       ["America/New_York"])
        applied = runner.up()
        assert "0020_order_report" in applied
        assert sorted(o.cancel_stage for o in Order.select()) == ["placed", "processing"]
        rows = sorted(ReportOrderDay.select(ReportOrderDay.day, ReportOrderDay.cancel_stage,
                                            ReportOrderDay.orders, ReportOrderDay.total)
                      .tuples())
        assert [(str(day), stage, n, total) for day, stage, n, total in rows] == [
            ("2026-06-02", "processing", 1, 3000), ("2026-06-14", "placed", 1, 2000)]
        assert len(count_orders("America/New_York")) == 2
        assert ReportOrderDirty.select().count() == 0
        Order.update(cancel_reason_label="Other").where(Order.ref == "OR-OLD001").execute()
        assert ReportOrderDirty.select().count() == 1  # the triggers are in place
    db.close()
