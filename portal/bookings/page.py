"""What a person may do with a booking right now, and at what fee: the booking page's read model.

Every audience's booking page (customer, email link, admin, fieldworker) and the cancel and
status steps read this one answer; the rules themselves stay in policy.py, which the services
ask too, so a page never offers what the service would refuse.
"""
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, Iterable

from ..billing.fees import fee_tiers
from ..kernel.actors import Actor
from . import policy
from .models import CANCELLED, COMPLETED, NO_SHOW


@dataclass(frozen=True)
class StatusChoice:
    """A status the booking could move to, with the policy's answer for this person."""
    value: str
    label: str
    verdict: policy.Verdict


@dataclass(frozen=True)
class BookingPage:
    booking: Any
    actor: Actor
    now: datetime
    cancel: policy.Verdict              # may cancel now (its message says why not)
    reschedule: policy.Verdict          # may move it to another time now
    details: policy.Verdict             # may edit address, notes, fieldworkers (admins)
    may_change_status: policy.Verdict   # may change the status at all (staff on the job)
    status_choices: tuple[StatusChoice, ...]
    refund_due: int                     # owed back on a cancelled booking (0 without invoice)
    invites_payment: bool               # offer "Record payment" (policy.invites_payment)
    cancellation_fee: int               # the business's default fees (settings)
    no_show_fee: int
    tiers: tuple | None = None          # late-fee tiers; read from the database when None
    settings: Any = None                # the row read this request: its stamp keeps the tiers
    invoice: Any = None                 # the InvoiceSummary, when the caller read it
    tax_rate_bp: int = 0                # the business's tax rate, for a fee's tax

    @cached_property
    def cancel_refund(self) -> policy.CancelRefund | None:
        """What cancelling now keeps and gives back, by the rule the cancel service requests
        the refund with (InvoiceSummary.on_cancel). None without the invoice, when nothing was
        paid, or when this person may not cancel."""
        if self.invoice is None or not self.invoice.paid or not self.cancel:
            return None
        return self.invoice.on_cancel(self.cancel_fee, self.tax_rate_bp)

    @cached_property
    def late_fee(self) -> int:
        """The late-cancellation tier's fee if the booking were cancelled now (0: none).
        Read lazily: only the cancel step shows fees, so the booking page costs no query."""
        tiers = fee_tiers(self.settings) if self.tiers is None else self.tiers
        return policy.late_fee(self.booking, tiers, self.now)

    @property
    def cancel_fee(self) -> int:
        """What cancelling now adds to the invoice by itself: customers are charged the tier
        they fall in (bookings.services.cancel_booking); staff choose a fee instead."""
        return self.late_fee if self.actor.is_customer else 0

    @property
    def suggested_fee(self) -> int:
        """The fee an admin's cancel step starts with: the late tier's, else the business's
        default fee. Only admins may add a fee, so for anyone else it is 0."""
        if self.actor.kind != "admin":
            return 0
        return self.late_fee or self.cancellation_fee

    @property
    def suggested_no_show_fee(self) -> int:
        """The fee an admin's no-show step starts with (0: none offered)."""
        return self.no_show_fee if self.actor.kind == "admin" else 0


@dataclass(frozen=True)
class RowActions:
    """What a list row's menu offers: the same policy questions the booking page asks."""
    cancel: policy.Verdict
    reschedule: policy.Verdict
    no_show: policy.Verdict

    def __bool__(self) -> bool:
        return bool(self.cancel or self.reschedule or self.no_show)


def row_actions(booking, assigned_ids: Iterable[int], actor: Actor, settings,
                now: datetime) -> RowActions:
    """The row menu's verdicts for a booking already read with its list (no query)."""
    assigned = frozenset(assigned_ids)
    return RowActions(
        cancel=policy.can_cancel(booking, actor, settings, now, assigned),
        reschedule=policy.can_reschedule(booking, actor, settings, now, assigned),
        no_show=policy.can_mark_no_show(booking, actor, now, assigned))


def booking_page(booking, staff: Iterable, actor: Actor, settings, now: datetime, *,
                 invoice=None, tiers=None) -> BookingPage:
    """The read model for `actor` looking at `booking` (assigned to `staff`) at `now`.

    `invoice` (an InvoiceSummary) adds what is due back on a cancelled booking; `tiers` (the
    fee tiers as policy.late_fee takes them) saves the query when the caller has them.
    """
    assigned = {s.id for s in staff}
    cancel = policy.can_cancel(booking, actor, settings, now, assigned)
    choices = (
        StatusChoice(COMPLETED, "Completed", policy.can_complete(booking, actor, now, assigned)),
        StatusChoice(CANCELLED, "Cancelled", cancel),
        StatusChoice(NO_SHOW, "No-show", policy.can_mark_no_show(booking, actor, now, assigned)),
    )
    refund_due, invites_payment = 0, False
    if invoice is not None:  # (its sums taken once for both questions)
        total, paid, refunded, pending, balance = invoice.figures()
        cancelled = booking.is_cancelled
        if cancelled:
            refund_due = policy.refund_due(total, paid, refunded, pending)
        invites_payment = policy.invites_payment(cancelled, balance)
    return BookingPage(
        booking=booking, actor=actor, now=now, cancel=cancel,
        reschedule=policy.can_reschedule(booking, actor, settings, now, assigned),
        details=policy.can_edit_details(booking, actor, now),
        may_change_status=policy.may_change_status(booking, actor, assigned),
        status_choices=choices, refund_due=refund_due, invites_payment=invites_payment,
        cancellation_fee=settings.cancellation_fee, no_show_fee=settings.no_show_fee,
        tiers=None if tiers is None else tuple(tiers), invoice=invoice,
        tax_rate_bp=settings.tax_rate_bp, settings=settings)
