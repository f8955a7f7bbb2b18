"""Reminders run from every worker, once a minute, on any number of machines: real processes
started together against one database (SQLite file, or PostgreSQL) queue each due reminder
exactly once, and together they report exactly that many."""
from collections import Counter
from datetime import timedelta

import pytest

from portal.messaging.models import OutboxMessage
from tests.support import factories, reminder_worker_proc
from tests.support.processes import run_together

PROCESSES = 4
EXTRA_DUE = 40


@pytest.mark.slow
def test_workers_racing_on_reminders_queue_each_one_once(app, world, database_url):
    for i in range(EXTRA_DUE):  # inside the 24-hour lead time, beside the world's 5-hour one
        factories.booking(world.other, world.service, timedelta(hours=2, minutes=15 * i))
    due = EXTRA_DUE + 1
    outcomes = run_together(reminder_worker_proc.run_reminders, PROCESSES, deadline=120,
                            args_for=lambda i: (f"worker-{i}", database_url))
    keys = Counter(m.dedupe_key for m in OutboxMessage.select()
                   if m.dedupe_key.startswith("booking_reminder:"))
    assert len(keys) == due and set(keys.values()) == {1}
    assert sum(o["queued"] for o in outcomes) == due, outcomes  # nobody counts another's
    print("queued per process:", sorted(o["queued"] for o in outcomes))
