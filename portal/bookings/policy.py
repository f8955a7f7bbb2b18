"""Who may cancel or reschedule a booking, and when: the one place these rules live.

Pure functions: the booking, the actor, the settings and `now` come in; a Verdict goes out.
Nothing here reads the clock, the request or the database.
"""
import re
from dataclasses import dataclass
from datetime import timedelta

from .models import CANCELLED, COMPLETED, NO_SHOW

# What a customer reads here is translated as the Verdict is made. The policy imports no web
# or i18n package: `_` is English until create_app hands it Flask-Babel's gettext
# (use_translator), which speaks the request's language. N_ only marks text for extraction.
_translate = str


def use_translator(gettext) -> None:
    global _translate
    _translate = gettext


def _(text, **values):
    said = _translate(text)
    return said % values if values else said


def N_(text):
    return text


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    code: str  # stable, for tests, templates and API clients
    message: str = ""

    def __bool__(self):
        return self.allowed


OK = Verdict(True, "ok")

_CLOSED_STATUS = {
    CANCELLED: ("already_cancelled", N_("This booking is already cancelled.")),
    COMPLETED: ("completed", N_("This booking is completed.")),
    NO_SHOW: ("no_show", N_("This booking was marked as a no-show.")),
}


def _status_verdict(booking, doing):
    code, text = _CLOSED_STATUS[booking.status]
    cannot = _("It can't be cancelled.") if doing == "cancelled" else \
        _("It can't be rescheduled.")
    return Verdict(False, code, f"{_(text)} {cannot}")


def _relationship_verdict(booking, actor, assigned_ids):
    """Whose booking is it? None when the actor may act on it at all."""
    if actor.is_customer:
        if booking.customer_id != actor.id:
            return Verdict(False, "not_yours", _("This booking was not found."))
        return None
    if actor.kind in ("admin", "integration"):  # an integration is the business's own system
        return None
    if actor.kind == "fieldworker":
        if actor.id not in assigned_ids:
            return Verdict(False, "not_assigned", "This job is not assigned to you.")
        if not actor.can_edit_booking_status:
            return Verdict(False, "no_permission",
                           "Your role does not allow changing booking status. Ask an admin.")
        return None
    return Verdict(False, "no_permission", "You can't change this booking.")


def _contact(settings):
    return " " + (_("Please contact us on %(contact)s.", contact=settings.contact_line)
                  if settings.contact_line else _("Please contact us."))


# An email address, or a phone number (seven or more digits, however punctuated).
_GIVES_CONTACT = re.compile(r"@|(?:\d[\s().+-]*){7,}")


def _window_message(settings, hours, doing):
    """Why `doing` ('cancelling' or 'rescheduling') is closed this close to the visit, in the
    business's own words for that action when it wrote some (Settings › Customer Portal has
    one message per notice window, so "too late to cancel" never shows under Reschedule)."""
    custom = (settings.blocked_message if doing == "cancelling"
              else getattr(settings, "reschedule_blocked_message", "")).strip()
    if custom:  # the business's words, then how to reach it unless they already say so
        return custom if _GIVES_CONTACT.search(custom) else custom + _contact(settings)
    closes = (_("Cancelling online closes %(hours)s hours before the appointment.", hours=hours)
              if doing == "cancelling" else
              _("Rescheduling online closes %(hours)s hours before the appointment.",
                hours=hours))
    return closes + _contact(settings)


def _decide(booking, actor, settings, now, assigned_ids, *, doing, flag, notice_hours):
    """The rule chain both questions share; `doing` names the action in messages."""
    refused = _relationship_verdict(booking, actor, assigned_ids)
    if refused is not None:
        return refused
    if booking.status in _CLOSED_STATUS:
        return _status_verdict(booking, doing)
    if booking.starts_at <= now:
        if actor.acts_for_business:
            return Verdict(False, "time_passed", f"The appointment time has passed, so it can't "
                                                 f"be {doing}. Mark it as a no-show instead.")
        return Verdict(False, "time_passed",
                       _("The appointment time has passed, so it can't be cancelled online.")
                       if doing == "cancelled" else
                       _("The appointment time has passed, so it can't be rescheduled online."))
    if actor.is_customer:
        if not flag:
            off = _("Online cancellation is not available.") if doing == "cancelled" else \
                _("Online rescheduling is not available.")
            return Verdict(False, "flag_off", off + _contact(settings))
        if notice_hours and booking.starts_at - now < timedelta(hours=notice_hours):
            verb = "cancelling" if doing == "cancelled" else "rescheduling"
            return Verdict(False, "notice_window", _window_message(settings, notice_hours, verb))
    return OK


def can_cancel(booking, actor, settings, now, assigned_ids=frozenset()):
    """May `actor` cancel `booking` at `now`?"""
    return _decide(booking, actor, settings, now, assigned_ids, doing="cancelled",
                   flag=settings.customers_may_cancel, notice_hours=settings.cancel_notice_hours)


def can_reschedule(booking, actor, settings, now, assigned_ids=frozenset()):
    """May `actor` move `booking` to another time at `now`? Customers also within the business's
    cap on moves per booking; staff are not capped."""
    verdict = _decide(booking, actor, settings, now, assigned_ids, doing="rescheduled",
                      flag=settings.customers_may_reschedule,
                      notice_hours=settings.effective_reschedule_notice_hours)
    cap = getattr(settings, "max_reschedules", None)
    if verdict and actor.is_customer and cap is not None and booking.reschedule_count >= cap:
        moved = (_("This booking has already been moved once, the most allowed online.")
                 if cap == 1 else
                 _("This booking has already been moved %(count)s times, the most allowed "
                   "online.", count=cap))
        return Verdict(False, "reschedule_cap", moved + _contact(settings))
    return verdict


def can_edit_details(booking, actor, now, changing_staff=False):
    """May `actor` change the address, notes or fieldworkers of `booking`? Admins, while it is
    scheduled; a new fieldworker only before the visit starts."""
    if actor.kind != "admin":
        return Verdict(False, "no_permission", "Only an admin can edit booking details.")
    if booking.status in _CLOSED_STATUS:
        code, text = _CLOSED_STATUS[booking.status]
        return Verdict(False, code, f"{_(text)} Its details can't be edited.")
    if changing_staff and booking.starts_at <= now:
        return Verdict(False, "time_passed", "The appointment time has passed, so its "
                                             "fieldworkers can't change.")
    return OK


def can_book(customer, settings):
    """May this customer book a new appointment online (business setting, then theirs)?"""
    if not settings.online_booking or not customer.may_book_online:
        return Verdict(False, "booking_off", _("Online booking is not available.") +
                       _contact(settings))
    return OK


def _after_visit(booking, actor, now, assigned_ids, doing):
    """Rules shared by the two closing statuses a visit can get once its time has come."""
    if actor.is_customer:
        return Verdict(False, "no_permission", f"Only staff can mark a booking as {doing}.")
    refused = _relationship_verdict(booking, actor, assigned_ids)
    if refused is not None:
        return refused
    if booking.status in _CLOSED_STATUS:
        code, text = _CLOSED_STATUS[booking.status]
        return Verdict(False, code, f"{_(text)} It can't be marked as {doing}.")
    if booking.starts_at > now:
        return Verdict(False, "not_started", f"The appointment hasn't started yet, so it can't "
                                             f"be marked as {doing}. Cancel it instead.")
    return OK


def can_mark_no_show(booking, actor, now, assigned_ids=frozenset()):
    """May `actor` record that the customer did not turn up (FTA/DNA)? Only once it began."""
    return _after_visit(booking, actor, now, assigned_ids, "a no-show")


def can_complete(booking, actor, now, assigned_ids=frozenset()):
    """May `actor` mark the visit done? Only once it began."""
    return _after_visit(booking, actor, now, assigned_ids, "completed")


def may_change_status(booking, actor, assigned_ids=frozenset()):
    """Is `actor` someone who may change this booking's status at all (before asking which)?"""
    if actor.is_customer:
        return Verdict(False, "no_permission", "Only staff can change a booking's status.")
    refused = _relationship_verdict(booking, actor, assigned_ids)
    return OK if refused is None else refused  # a refusing Verdict is falsy: no `or` here


def late_fee(booking, tiers, now):
    """The late-cancellation fee for cancelling `booking` at `now`, in minor units (0: none).

    `tiers` are (under_hours, kind, flat_amount, percent_bp), shortest notice first: the first
    tier whose `under_hours` is more than the notice given applies. Percentages round half up
    to the minor unit, in integers (no float drift); a flat fee is capped at the price.
    """
    notice = booking.starts_at - now
    for under_hours, kind, flat_amount, percent_bp in tiers:
        if notice < timedelta(hours=under_hours):
            if kind == "flat":  # a fee never costs more than the visit itself
                return min(flat_amount, booking.price)
            return (booking.price * percent_bp + 5_000) // 10_000
    return 0


LATE_HOURS_FALLBACK = 24


def late_cancellation_hours(cancel_notice_hours, tier_hours):
    """How little notice makes a cancellation "late" in reports: the longest fee tier, else
    the customers' minimum notice, else a day. Fees and rules already say what late costs;
    the report counts by the same line."""
    return max(tier_hours, default=0) or cancel_notice_hours or LATE_HOURS_FALLBACK


def invites_payment(is_cancelled: bool, balance: int) -> bool:
    """Should the booking page offer to record a payment? Not on a cancelled booking that owes
    nothing (in credit, or settled): a payment there is money to give back, not to take.
    Paying ahead on a live booking stays offered (the service accepts both)."""
    return balance > 0 or not is_cancelled


def refund_due(total, paid, refunded, pending):
    """What the customer should get back: paid beyond what the invoice now asks for, less what
    was refunded or is already asked for. Never negative."""
    return max(0, paid - total - refunded - pending)


@dataclass(frozen=True)
class CancelRefund:
    """What cancelling a booking now does to its money: the fee it adds (before tax), what the
    invoice then keeps (every fee, tax included) and what goes back to the customer."""
    fee: int
    kept: int
    refund: int


def cancel_refund(total, service_total, fee, fee_tax, paid, refunded, pending) -> CancelRefund:
    """The refund a cancellation gives: the visit (`service_total`, tax included) is credited,
    `fee` and its tax are charged, and what was paid beyond that comes back (refund_due).
    The cancel step shows it and the cancel service requests it: one rule for both."""
    kept = total - service_total + fee + fee_tax
    return CancelRefund(fee, kept, refund_due(kept, paid, refunded, pending))


# Orders: the statuses are spelled out here so this module stays free of the orders package.
_ORDER_CLOSED = {
    "cancelled": ("already_cancelled", N_("This order is already cancelled.")),
    "completed": ("completed", N_("This order is completed, so it can't be cancelled.")),
    "shipped": ("shipped", N_("This order has already shipped, so it can't be cancelled.")),
}


def can_cancel_order(order, actor, settings, now):
    """May `actor` cancel `order` at `now`? Customers only their own and only while it is
    placed; admins also while it is processing (they can stop it in the warehouse)."""
    if actor.is_customer and order.customer_id != actor.id:
        return Verdict(False, "not_yours", _("This order was not found."))
    if not actor.is_customer and actor.kind != "admin":
        return Verdict(False, "no_permission", "Only an admin can cancel an order.")
    if order.status in _ORDER_CLOSED:
        code, text = _ORDER_CLOSED[order.status]
        return Verdict(False, code, _(text) + ("" if actor.kind == "admin"
                                               else _contact(settings)))
    if order.status == "processing" and actor.is_customer:
        return Verdict(False, "processing", _("This order is already being processed, so it "
                                              "can't be cancelled online.") + _contact(settings))
    if order.status not in ("placed", "processing"):
        return Verdict(False, "unknown_status", "This order can't be cancelled.")
    if actor.is_customer and not settings.customers_may_cancel:
        return Verdict(False, "flag_off", _("Online cancellation is not available.") +
                       _contact(settings))
    return OK
