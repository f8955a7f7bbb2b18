"""What each event sends, rendered from templates/emails/ into the outbox."""
from flask import render_template

from ..bookings import policy
from ..kernel.actors import Actor
from ..kernel.i18n import N_, gettext as _  # Flask-Babel's, through the kept catalogue
from ..kernel.timefmt import when
from ..kernel.urls import external_url
from . import business_templates, rendering
from .calendar import booking_ics
from .language import for_staff, language_for, to_staff, translated, writing_to
from .outbox import enqueue_email
from .rendering import link_url


def _render(name, **context):
    return (render_template(f"emails/{name}.txt", **context),
            render_template(f"emails/{name}.html", **context))


def _own(kind, context, **extra):
    """The email from the business's own template for `kind` in the customer's language
    (Settings > Emails), or None: then the file's is sent."""
    settings, customer = context["settings"], context["customer"]
    return business_templates.compose(kind, language_for(customer, settings), settings, lambda: (
        business_templates.booking_values(context["booking"], customer, context["service"],
                                          settings, context, **extra)))


CANCELLED_SUBJECT = N_("Your booking %(ref)s is cancelled")


def cancellation_values(booking, settings):
    """The booking's and the business's values both cancellation emails pack (rendering.py),
    taken once for the two: queue_booking_cancelled's and queue_staff_booking_cancelled's
    `values`. The booking's times are in the form pack gives them (rendering.packed), so
    neither pack turns them again."""
    return {"booking": rendering.packed(rendering.booking_values(booking)),
            "settings": rendering.settings_values(settings)}


def queue_booking_cancelled(booking, customer, service, settings, fee=None, refund=None,
                            values=None):
    """The customer's cancellation notice, with a link to view the booking (and any fee, and
    the refund the cancellation asked for).
    Rendered by the worker when it sends (messaging/rendering.py): this only packs values
    (`values`: cancellation_values, when the caller has them already)."""
    # The business's own template (if any) is looked up only when it wrote one for this
    # language: then the subject, kept on the row, is made now and the body when sent.
    language = language_for(customer, settings)
    own = None
    if business_templates.customised_in("booking_cancelled", language, settings):
        with writing_to(customer, settings):
            own = business_templates.compose(
                "booking_cancelled", language, settings,
                lambda: business_templates.cancellation_values(
                    booking, customer, service, settings, fee, refund, {}))
    values = values or cancellation_values(booking, settings)
    # the file's subject, its words kept per language (language.translated)
    subject = own["subject"] if own else translated(language, CANCELLED_SUBJECT) % {
        "ref": booking.ref}
    enqueue_email(
        dedupe_key=f"booking_cancelled:{booking.id}:v{booking.version}",
        to=customer.email,
        subject=subject,
        template="booking_cancelled", ics_method="CANCEL",
        # the worker renders it in the customer's language (rendering.py)
        context=rendering.pack(booking=values["booking"],
                               customer=rendering.person_values(customer),
                               service={"name": service.name},
                               settings=values["settings"], fee=fee,
                               refund={"amount": refund.amount} if refund else None,
                               language=language, own_template=bool(own)))


def customer_actions(booking, settings, now):
    """The links an email may carry: only the actions the policy allows at render time."""
    actor = Actor("customer", booking.customer_id)
    links = {"view_url": link_url("view", booking)}
    if policy.can_cancel(booking, actor, settings, now):
        links["cancel_url"] = link_url("cancel", booking)
    if policy.can_reschedule(booking, actor, settings, now):
        links["reschedule_url"] = link_url("reschedule", booking)
    return links


def reminder_key(booking):
    """One reminder per booking and start time (a moved booking gets another)."""
    return f"booking_reminder:{booking.id}:{booking.starts_at.isoformat()}"


def _email(kind, context, subject, **extra):
    """(subject, text, html) of a booking email: the business's own template for `kind` when it
    wrote one for the customer's language (`extra`: its placeholders beyond the booking's), else
    `subject` and the files in templates/emails/."""
    own = _own(kind, context, **extra)
    if own:
        return own["subject"], own["text"], own["html"]
    return (subject, *_render(kind, **context))


def queue_booking_reminder(booking, customer, service, settings, now):
    """The reminder before an appointment; once per booking and start time."""
    context = dict(booking=booking, customer=customer, service=service, settings=settings,
                   tz=settings.timezone, **customer_actions(booking, settings, now))
    with writing_to(customer, settings):
        subject, text, html = _email("booking_reminder", context, _(
            "Reminder: %(service)s on %(time)s", service=service.name,
            time=when(booking.starts_at, settings.timezone)))
    return enqueue_email(
        dedupe_key=reminder_key(booking),
        to=customer.email,
        subject=subject,
        text=text, html=html,
        ics=booking_ics(booking, service, settings, "REQUEST", customer), ics_method="REQUEST")


def queue_staff_booking_cancelled(booking, customer, service, staff, settings, values=None,
                                  starts=None):
    """Each assigned, active fieldworker hears that their job is off, with a link to it
    (rendered when sent, like the customer's notice; `values` as there; `starts`: the visit's
    time as staff read it, when(booking.starts_at, settings.timezone) in English, when the
    caller has it already). The visit's time is the only thing here a language could change
    (the subject is English, the worker renders the rest): only working it out is done in
    English (for_staff), not the whole queueing, which forced the locale for nothing."""
    members = [m for m in staff if m.active and m.role == "fieldworker"]
    if not members:
        return
    if not starts:
        with for_staff():
            starts = when(booking.starts_at, settings.timezone)
    subject = f"Job cancelled: {service.name} on {starts} ({booking.ref})"
    values = values or cancellation_values(booking, settings)
    shared = dict(booking=values["booking"],
                  customer={"name": customer.name}, service={"name": service.name},
                  settings=values["settings"])
    for member in members:
        enqueue_email(
            dedupe_key=f"staff_booking_cancelled:{booking.id}:v{booking.version}:{member.id}",
            to=member.email, subject=subject, template="staff_booking_cancelled",
            context=rendering.pack(staff=rendering.person_values(member), **shared))


def _customer_context(booking, customer, service, settings, now, **extra):
    return dict(booking=booking, customer=customer, service=service, settings=settings,
                tz=settings.timezone, **customer_actions(booking, settings, now), **extra)


def queue_booking_confirmed(booking, customer, service, settings, now):
    """The confirmation of a new booking, with an invite and the links the policy allows."""
    with writing_to(customer, settings):
        context = _customer_context(booking, customer, service, settings, now)
        subject, text, html = _email("booking_confirmed", context, _(
            "Booking confirmed: %(service)s on %(time)s (%(ref)s)", service=service.name,
            time=when(booking.starts_at, settings.timezone), ref=booking.ref))
    return enqueue_email(
        dedupe_key=f"booking_confirmed:{booking.id}:v{booking.version}",
        to=customer.email,
        subject=subject,
        text=text, html=html,
        ics=booking_ics(booking, service, settings, "REQUEST", customer), ics_method="REQUEST")


def queue_booking_rescheduled(booking, customer, service, settings, old_starts_at, now):
    """The customer's confirmation of a move: old and new time, and an updated invite (same
    UID, the booking's new version as SEQUENCE) so calendar apps move the event."""
    with writing_to(customer, settings):
        context = _customer_context(booking, customer, service, settings, now,
                                    old_starts_at=old_starts_at)
        subject, text, html = _email(
            "booking_rescheduled", context, _("Your booking %(ref)s is moved to %(time)s",
                                              ref=booking.ref,
                                              time=when(booking.starts_at, settings.timezone)),
            old_time=when(old_starts_at, settings.timezone))
    return enqueue_email(
        dedupe_key=f"booking_rescheduled:{booking.id}:v{booking.version}",
        to=customer.email,
        subject=subject,
        text=text, html=html,
        ics=booking_ics(booking, service, settings, "REQUEST", customer), ics_method="REQUEST")


_STAFF_SUBJECTS = {
    "moved": "Job moved: {service} to {new} ({ref})",
    "removed": "Job no longer yours: {service} on {old} ({ref})",
    "added": "New job for you: {service} on {new} ({ref})",
}


def _fieldworkers(members):
    return {m.id: m for m in members if m.active and m.role == "fieldworker"}


def _staff_change(staff_id, before, after):
    if staff_id not in after:
        return "removed"
    return "moved" if staff_id in before else "added"


@to_staff
def queue_staff_booking_rescheduled(booking, customer, service, old_staff, new_staff, settings,
                                    old_starts_at):
    """Each active fieldworker on the job before or after a move hears what it means for them:
    moved, no longer theirs, or new. Returns how many emails were queued."""
    before, after = _fieldworkers(old_staff), _fieldworkers(new_staff)
    times = dict(service=service.name, ref=booking.ref,
                 old=when(old_starts_at, settings.timezone),
                 new=when(booking.starts_at, settings.timezone))
    queued = 0
    for member in [*after.values(), *(m for i, m in before.items() if i not in after)]:
        change = _staff_change(member.id, before, after)
        if change == "moved" and old_starts_at == booking.starts_at:
            continue  # same person, same time: nothing changed for them
        # A fieldworker taken off the job can no longer open it, so they get their job list.
        job_url = (external_url("fieldworker.jobs.index") if change == "removed"
                   else external_url("fieldworker.jobs.show", ref=booking.ref))
        text, html = _render("staff_booking_rescheduled", booking=booking, customer=customer,
                             service=service, staff=member, settings=settings,
                             tz=settings.timezone, change=change,
                             old_starts_at=old_starts_at, job_url=job_url)
        queued += enqueue_email(
            dedupe_key=f"staff_booking_rescheduled:{booking.id}:v{booking.version}:{member.id}",
            to=member.email, subject=_STAFF_SUBJECTS[change].format(**times),
            text=text, html=html)
    return queued

