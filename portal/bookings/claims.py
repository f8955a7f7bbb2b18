"""Slot claims: the database's own guard against double-booking a fieldworker.

A scheduled booking holds one SlotClaim row per 15-minute cell per assigned fieldworker; the
unique (staff, slot_start) index means two transactions can never both hold a cell, whatever
each one believed when it checked availability. Call these inside the change's transaction.
"""
from datetime import timedelta

from flask_babel import gettext as _
from peewee import IntegrityError

from ..kernel.compiled import Compiled
from ..kernel.errors import Conflict
from ..kernel.i18n import N_
from .schedule_models import CLAIM_MINUTES, SlotClaim

TAKEN = N_("That time was just taken. Please pick another time.")


def cells(starts_at, ends_at):
    """The claim cells [start, end) covers: from its cell's start, every 15 minutes."""
    cell = starts_at.replace(second=0, microsecond=0)
    cell -= timedelta(minutes=cell.minute % CLAIM_MINUTES)
    while cell < ends_at:
        yield cell
        cell += timedelta(minutes=CLAIM_MINUTES)


def hold(booking_id, staff_ids, starts_at, ends_at):
    """Make the booking hold exactly these cells for these fieldworkers: new cells are claimed
    first, then the ones it no longer needs are released. Raises Conflict when another booking
    holds any of them."""
    wanted = {(staff_id, cell) for staff_id in staff_ids for cell in cells(starts_at, ends_at)}
    held = {(c.staff_id, c.slot_start) for c in
            SlotClaim.select(SlotClaim.staff, SlotClaim.slot_start)
            .where(SlotClaim.booking == booking_id)}
    new = [{"staff": s, "booking": booking_id, "slot_start": c} for s, c in wanted - held]
    if new:
        try:
            with SlotClaim._meta.database.atomic():  # a savepoint: the caller decides what next
                SlotClaim.insert_many(new).execute()
        except IntegrityError:
            raise Conflict(_(TAKEN), "slot_taken") from None
    for staff_id, cell in held - wanted:
        SlotClaim.delete().where((SlotClaim.booking == booking_id) & (SlotClaim.staff == staff_id)
                                 & (SlotClaim.slot_start == cell)).execute()


def release(booking_id):
    """Free every cell the booking holds (it was cancelled or marked a no-show)."""
    _RELEASE.cursor(booking_id)


# Every cancellation runs it: its SQL built once (kernel/compiled.py).
_RELEASE = Compiled(lambda booking: SlotClaim.delete().where(SlotClaim.booking == booking), 1)
