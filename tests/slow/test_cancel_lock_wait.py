"""A cancellation that waits for the booking's lock reads the fieldworkers as the lock holder
left them. Another process holds the lock while it moves the visit from one fieldworker to
another (without touching the booking row, so with no new version to give it away); the
cancellation queued behind it must notify the new fieldworker. A read joined to the locking
statement would not: on PostgreSQL it returns the joined rows as they were when the statement
began, before the wait (bookings/cancel_reads.py reads them in the next statement)."""
import subprocess
import sys
from pathlib import Path

from portal.bookings.services import cancel_booking
from portal.kernel.actors import Actor
from portal.messaging.models import Notification

ROOT = Path(__file__).resolve().parents[2]


def test_a_cancel_that_waited_for_the_lock_tells_the_fieldworker_the_holder_assigned(
        app, world):
    visit = world.later  # Fred's job
    holder = subprocess.Popen(
        [sys.executable, "-m", "tests.support.lock_holder", app.config["DATABASE_URL"],
         str(visit.id), str(world.fw.id), str(world.fw2.id)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        cancelled = cancel_booking(visit.ref, Actor("customer", world.customer.id,
                                                    world.customer.name), channel="portal")
        assert holder.wait(timeout=30) == 0
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    assert [s.id for s in cancelled.assigned] == [world.fw2.id]
    assert [n.staff_id for n in Notification.select().where(
        Notification.booking == visit.id)] == [world.fw2.id]
