"""What outside systems change through the API: the web's own service functions and policy, on
the `integration` channel, answered with the booking as it now is.

An integration acts for the business (the practice's own management system), not for the
customer: the customers' flags, notice window and reschedule cap do not bind it, and it is
never charged the customers' late fee; closed bookings and times that have passed still refuse.
"""
from ..bookings.scheduling import reschedule_booking
from ..bookings.services import cancel_booking
from . import api_reads
from .api_reads import booking_record
from .linking import link_booking

CHANNEL = "integration"


def cancel(ref, actor, *, reason_id=None, reason=None, note="", version=None):
    """Cancel booking `ref` (reason by id or by label); returns its BookingRecord."""
    cancel_booking(ref, actor, channel=CHANNEL, reason_id=api_reads.reason_id(reason_id, reason),
                   note=note, expected_version=version)
    return booking_record(ref)


def reschedule(ref, actor, *, starts_at, fieldworker_id=None, version=None):
    """Move booking `ref` to `starts_at` (naive UTC); returns its BookingRecord."""
    reschedule_booking(ref, actor, channel=CHANNEL, starts_at=starts_at,
                       fieldworker=fieldworker_id, expected_version=version)
    return booking_record(ref)


def link(ref, integration, actor, *, external_ref, version=None):
    """Link (or with None, unlink) booking `ref` to the calling integration's id for it."""
    link_booking(ref, integration, external_ref, actor, expected_version=version)
    return booking_record(ref)
