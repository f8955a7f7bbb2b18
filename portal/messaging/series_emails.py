"""The one email a series cancellation sends the customer: every visit it cancelled (with its
fee and refund), the ones it could not, and one calendar cancellation per visit, each with
that booking's own UID, so calendar apps remove exactly those and keep the rest."""
from flask_babel import gettext as _
from flask_babel import ngettext

from . import rendering
from .language import language_for, writing_to
from .outbox import enqueue_email


def queue_series_cancelled(series_id, cancelled, fees, refused, customer, settings):
    """`cancelled`: the bookings as cancel_booking returned them (new version, service read);
    `fees`: {booking id: (fee, refund or None)}; `refused`: the Visits left booked."""
    first = cancelled[0]
    visits = [dict(rendering.booking_values(b), service=b.service.name,
                   fee=fees[b.id][0], refund=fees[b.id][1]) for b in cancelled]
    kept = [{"starts_at": v.booking.starts_at, "ref": v.booking.ref,
             "reason": v.verdict.message} for v in refused]
    count = len(cancelled)
    # Subject now, body when the worker sends (rendering.py): both in the customer's language.
    language = language_for(customer, settings)
    with writing_to(customer, settings):
        subject = (ngettext("%(num)d visit cancelled", "%(num)d visits cancelled", count)
                   if count > 1 else _("Your booking %(ref)s is cancelled", ref=first.ref))
    enqueue_email(
        dedupe_key=f"series_cancelled:{series_id}:{first.id}:v{first.version}",
        to=customer.email,
        subject=subject,
        template="series_cancelled", ics_method="CANCEL",
        context=rendering.pack(visits=visits, kept=kept,
                               customer=rendering.person_values(customer),
                               settings=rendering.settings_values(settings),
                               language=language))


def queue_series_moved(series_id, moved, customer, settings):
    """`moved`: [(booking as moved, its old start)], service read. One email listing each
    visit's old and new time, with one updated invite per visit (same UID, new SEQUENCE)."""
    first = moved[0][0]
    visits = [dict(rendering.booking_values(b), service=b.service.name, old_starts_at=old)
              for b, old in moved]
    language = language_for(customer, settings)
    with writing_to(customer, settings):
        subject = ngettext("%(num)d visit moved", "%(num)d visits moved", len(moved))
    enqueue_email(
        dedupe_key=f"series_moved:{series_id}:{first.id}:v{first.version}",
        to=customer.email, subject=subject,
        template="series_moved", ics_method="REQUEST",
        context=rendering.pack(visits=visits, customer=rendering.person_values(customer),
                               settings=rendering.settings_values(settings),
                               language=language))
