"""The one optimistic-lock helper (portal/kernel/versioning.py), on a real booking row: a stale
expected version, or a row changed after it was read, is refused and nothing is written."""
import pytest

from portal.bookings.models import Booking
from portal.kernel.errors import Conflict
from portal.kernel.versioning import check_version, update_versioned

STALE = "This booking changed since the page loaded. Reload and try again."


def test_the_expected_version_writes_and_bumps_the_version(world):
    b = world.upcoming
    update_versioned(b, b.version, STALE, notes="Side gate")
    fresh = Booking.get_by_id(b.id)
    assert (fresh.notes, fresh.version) == ("Side gate", b.version + 1)


def test_a_stale_expected_version_is_a_conflict_in_the_callers_words(world):
    b = world.upcoming
    with pytest.raises(Conflict) as caught:
        update_versioned(b, b.version - 1, STALE, notes="Side gate")
    assert (caught.value.message, caught.value.code, caught.value.status) == (STALE, "stale", 409)
    assert Booking.get_by_id(b.id).version == b.version


def test_a_row_changed_after_it_was_read_is_not_overwritten(world):
    """No version sent (an API client may leave it out), but someone else wrote meanwhile:
    the guarded UPDATE matches nothing and the other change stands."""
    b = world.upcoming
    Booking.update(notes="Theirs", version=Booking.version + 1).where(
        Booking.id == b.id).execute()
    with pytest.raises(Conflict):
        update_versioned(b, None, STALE, notes="Mine")
    assert Booking.get_by_id(b.id).notes == "Theirs"


def test_no_version_sent_is_nothing_to_check(world):
    check_version(world.upcoming, None, STALE)
    with pytest.raises(Conflict):
        check_version(world.upcoming, world.upcoming.version + 1, STALE)
