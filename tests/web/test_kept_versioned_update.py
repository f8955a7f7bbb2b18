"""The guarded UPDATE of kernel/versioning.py runs a kept text (kernel/compiled.py) with each
value passed as its field would send it, and apply_versioned writes the row's fields without a
setter call each: the row it leaves and the row in the database must be what peewee's own
UPDATE and setattr leave. The cancellation's emails take the booking's and business's values
once for both (emails.cancellation_values), and the staff's the visit's time from the staff
notice: the same outbox rows as taking them apiece."""
from datetime import timedelta

import pytest

from portal.bookings.models import Booking
from portal.kernel import versioning
from portal.kernel.clock import utcnow
from portal.kernel.errors import Conflict
from portal.kernel.timefmt import when
from portal.messaging import emails, outbox
from portal.messaging.language import for_staff
from portal.messaging.models import OutboxMessage
from portal.settings import CancellationReason, Settings
from tests.support.factories import booking

STALE = "This booking changed since the page loaded. Reload and try again."


# a booking's own id and reference, and its times (made a second apart, maybe)
APART = ("id", "ref", "starts_at", "ends_at")


def _state(row):
    data = {k: v for k, v in row.__data__.items() if k not in APART}
    return data, set(row._dirty), {k: getattr(v, "id", v) for k, v in row.__rel__.items()}


def _stored(row):
    return {k: v for k, v in Booking.get_by_id(row.id).__data__.items()
            if k not in APART}


def _pair(world):
    made = utcnow()
    return [booking(world.customer, world.service, timedelta(days=6), created_at=made)
            for _ in range(2)]


@pytest.mark.parametrize("with_reason", [True, False])
def test_apply_versioned_leaves_the_row_and_the_table_as_peewee_does(world, monkeypatch,
                                                                     with_reason):
    reason = CancellationReason.create(label="Moved away") if with_reason else None
    kept_row, plain_row = _pair(world)
    now = utcnow().replace(microsecond=0)
    fields = dict(status="cancelled", cancelled_at=now, cancelled_by_kind="customer",
                  cancelled_by_id=world.customer.id, cancel_channel="portal",
                  cancel_reason=reason, cancel_reason_label=reason and reason.label,
                  cancel_note=None)
    versioning.apply_versioned(kept_row, kept_row.version, STALE, **fields)
    with monkeypatch.context() as m:
        m.setattr(versioning, "_kept_update", lambda model, names: None)  # peewee's own way
        versioning.apply_versioned(plain_row, plain_row.version, STALE, **fields)
    assert _state(kept_row) == _state(plain_row)
    assert _stored(kept_row) == _stored(plain_row)
    assert kept_row.cancel_reason == plain_row.cancel_reason


def test_an_sql_expression_still_goes_through_peewee_and_a_stale_row_still_refuses(world):
    b = world.upcoming
    versioning.update_versioned(b, b.version, STALE,
                                reschedule_count=Booking.reschedule_count + 1)
    assert Booking.get_by_id(b.id).reschedule_count == b.reschedule_count + 1
    with pytest.raises(Conflict):  # b still holds the version it was read with
        versioning.apply_versioned(b, None, STALE, status="cancelled")
    assert Booking.get_by_id(b.id).status == b.status


def test_the_cancellation_emails_pack_the_same_values_taken_once(world):
    settings = Settings.current()
    b = world.upcoming
    staff = [world.fw, world.fw2]

    def queued(values, starts=None):
        with outbox.one_insert():
            emails.queue_booking_cancelled(b, world.customer, world.service, settings, fee=500,
                                           values=values)
            emails.queue_staff_booking_cancelled(b, world.customer, world.service, staff,
                                                 settings, values=values, starts=starts)
        rows = list(OutboxMessage.select(OutboxMessage.dedupe_key, OutboxMessage.to_address,
                                         OutboxMessage.subject, OutboxMessage.template,
                                         OutboxMessage.context)
                    .order_by(OutboxMessage.id).tuples())
        OutboxMessage.delete().execute()
        return rows

    apiece = queued(None)
    assert len(apiece) == 3
    with for_staff():  # the visit's time as bookings.services gives it
        starts = when(b.starts_at, settings.timezone)
    assert queued(emails.cancellation_values(b, settings), starts) == apiece


def test_one_insert_writes_its_block_s_emails_once_and_nothing_after_an_error(world):
    """outbox.one_insert as a class behaves as the generator it was: one INSERT when the block
    ends, nothing queued when it ends with an exception, and emails queued after it go
    straight in again."""
    settings = Settings.current()
    b = world.upcoming
    with pytest.raises(RuntimeError):
        with outbox.one_insert():
            emails.queue_booking_cancelled(b, world.customer, world.service, settings)
            raise RuntimeError("the change failed")
    assert OutboxMessage.select().count() == 0
    with outbox.one_insert():
        emails.queue_booking_cancelled(b, world.customer, world.service, settings)
        assert OutboxMessage.select().count() == 0  # not yet: when the block ends
    assert OutboxMessage.select().count() == 1
    emails.queue_staff_booking_cancelled(b, world.customer, world.service, [world.fw],
                                         settings)  # outside a block: its own INSERT
    subjects = [m.subject for m in OutboxMessage.select().order_by(OutboxMessage.id)]
    assert len(subjects) == 2 and subjects[1].startswith("Job cancelled: ")
