"""A booking form's Repeat fieldset (New booking, and Schedule for customers when the business
allows it) read into a series rule (bookings/series_rules.py), and the
series booked: plain values in, a DomainError naming the field out."""
from datetime import date

from flask import request
from flask_babel import gettext as _

from ...bookings import series
from ...bookings.series_rules import MAX_VISITS, check_rule
from ...kernel.errors import InvalidInput
from ...kernel.i18n import N_
from ...kernel.timefmt import to_local

ONCE = ""
# The fieldset translates them as it shows them (`_(label)`).
KINDS = {ONCE: N_("Does not repeat"), "weekly": N_("Every week or few weeks"),
         "monthly": N_("Monthly, on the same weekday")}


def _number(raw, field, low, high, what):
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3 and low <= int(raw) <= high):
        raise InvalidInput(_("Enter %(what)s: a whole number from %(low)s to %(high)s.",
                             what=_(what), low=low, high=high), field)
    return int(raw)


def _date(raw, field, what):
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        raise InvalidInput(_("Enter %(what)s as a date (pick it from the calendar).",
                             what=_(what)), field) from None


def repeats(form) -> bool:
    return (form.repeat.data or "").strip() != ONCE


def rule_from(form, starts_at, tz):
    """The Rule the fieldset asks for, or InvalidInput naming the field to fix."""
    kind = (form.repeat.data or "").strip()
    if kind not in KINDS:
        raise InvalidInput(_("Choose how the visit repeats from the list."), "repeat")
    every = _number(form.repeat_every.data or "1", "repeat_every", 1, 4,
                    N_("how many weeks apart")) if kind == "weekly" else 1
    end = (form.repeat_end.data or "").strip()
    if end not in ("count", "until"):
        raise InvalidInput(_("Say when the series ends: after a number of visits, or on a date."),
                           "repeat_end")
    count = _number(form.repeat_count.data, "repeat_count", 2, MAX_VISITS,
                    N_("the number of visits")) if end == "count" else None
    until = _date(form.repeat_until.data, "repeat_until",
                  N_("the last date")) if end == "until" else None
    return check_rule(kind, every, until, count, to_local(starts_at, tz).date())


def skipped_days():
    """The dates staff ticked to skip after being told they are taken."""
    days = set()
    for raw in request.form.getlist("skip")[:MAX_VISITS]:
        days.add(_date(raw, "skip", N_("the date to skip")))
    return days


def book(actor, form, starts_at, tz):
    """Book the series New booking describes; (series, bookings, customer, created, missing)."""
    return series.book_series(
        actor, customer_id=form.customer.data,
        new_customer={"name": form.new_name.data, "email": form.new_email.data,
                      "phone": form.new_phone.data},
        service_id=form.service.data, starts_at=starts_at,
        rule=rule_from(form, starts_at, tz), skip=skipped_days(),
        fieldworker=form.fieldworker.data, address=form.address.data, notes=form.notes.data)


def book_own(actor, form, starts_at, tz):
    """A customer books a series for themselves (when the business allows it)."""
    return series.book_series(actor, customer_id=actor.id, new_customer=None,
                              service_id=form.service.data, starts_at=starts_at,
                              rule=rule_from(form, starts_at, tz), skip=skipped_days(),
                              channel="portal")
