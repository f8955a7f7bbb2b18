"""Link a booking to the outside system that also holds it, under that system's own id."""
from peewee import IntegrityError

from .. import audit
from ..bookings.models import Booking
from ..bookings.services import STALE, lock_booking
from ..kernel.clock import utcnow
from ..kernel.db import database, write_transaction
from ..kernel.errors import Conflict
from ..kernel.versioning import apply_versioned, check_version

REF_MAX = 120


def _taken(external_ref, name):
    return Conflict(f"Another booking is already linked to {name} as \u201c{external_ref}\u201d. "
                    "Use the id that belongs to this booking.", "external_ref_taken")


def link_booking(ref, integration, external_ref, actor, *, expected_version=None, now=None):
    """Record that `integration` knows booking `ref` as `external_ref` (None: drop the link).
    Returns the booking; a booking linked to another system, or an id another booking of this
    system already has, is a Conflict. Sending the link it already has changes nothing."""
    now = now or utcnow()
    with write_transaction():
        booking = lock_booking(ref)
        check_version(booking, expected_version, STALE)
        if booking.integration_id not in (None, integration.id):
            raise Conflict("This booking is linked to another system. Ask the business to "
                           "unlink it there first.", "linked_elsewhere")
        wanted = (integration.id if external_ref is not None else None, external_ref)
        before = (booking.integration_id, booking.external_ref)
        if wanted == before:
            return booking
        if external_ref is not None and Booking.select().where(
                (Booking.integration == integration.id) & (Booking.external_ref == external_ref)
                & (Booking.id != booking.id)).exists():
            raise _taken(external_ref, integration.name)
        try:
            with database.atomic():  # the unique index settles a race between two links
                apply_versioned(booking, expected_version, STALE, integration=wanted[0],
                                external_ref=external_ref)
        except IntegrityError:
            raise _taken(external_ref, integration.name) from None
        audit.record("booking", booking.id,
                     "external_ref_linked" if external_ref is not None else "external_ref_unlinked",
                     actor, "integration", at=now,
                     before={"integration": before[0], "external_ref": before[1]},
                     after={"integration": wanted[0], "external_ref": external_ref,
                            "version": booking.version})
    return booking
