"""The write-ahead log is copied into the database file by the background worker, not by the
customer's request (kernel/db.checkpoint, portal/ops/worker.py)."""
import sqlite3
from contextlib import closing

from portal.bookings.models import Booking
from portal.kernel.db import WAL_BACKSTOP_PAGES, checkpoint, database, is_postgres
from portal.ops.worker import run
from tests.support.cancelling import post_cancel


def _status_in_the_file_alone(booking):
    """The booking's status as the database file holds it, the log left unread."""
    path = database.obj.database
    with closing(sqlite3.connect(f"file:{path}?immutable=1", uri=True)) as alone:
        return alone.execute("SELECT status FROM booking WHERE id = ?",
                             (booking.id,)).fetchone()[0]


def test_a_cancel_stays_in_the_log_until_the_workers_pass_copies_it(customer_client, world):
    booking = world.upcoming
    if is_postgres():  # PostgreSQL checkpoints by itself: the pass asks nothing of it
        assert post_cancel(customer_client, booking).status_code == 302
        run(lambda line: None, once=True, email=False)
        assert checkpoint() == (0, 0)
        assert Booking.get_by_id(booking.id).status == "cancelled"
        return
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # the log starts empty
    assert _status_in_the_file_alone(booking) == "scheduled"
    # A web worker's connection, kept open as gunicorn's are: without one, the last connection
    # to close (the worker's pass closes its own) would copy the log itself.
    with closing(sqlite3.connect(database.obj.database)) as web:
        web.execute("SELECT 1 FROM booking LIMIT 1").fetchall()

        assert post_cancel(customer_client, booking).status_code == 302
        assert Booking.get_by_id(booking.id).status == "cancelled"
        assert _status_in_the_file_alone(booking) == "scheduled"  # the request left it in the log

        said = []
        run(said.append, once=True, email=False)
        assert _status_in_the_file_alone(booking) == "cancelled"
    assert said == []  # a pass with nothing to deliver says nothing, checkpoint or not
    logged, copied = checkpoint()
    assert logged == copied  # nothing left to copy


def test_the_apps_connections_checkpoint_only_past_the_backstop(app):
    if is_postgres():
        assert checkpoint() == (0, 0)
        return
    assert database.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0] \
        == WAL_BACKSTOP_PAGES
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
