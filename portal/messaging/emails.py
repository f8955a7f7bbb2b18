"""What each event sends, rendered from templates/emails/ into the outbox."""
from flask import current_app, render_template

from ..actors import Actor
from ..bookings import policy
from ..links import make_token
from .calendar import booking_ics
from ..timefmt import when
from ..urls import external_url
from .outbox import enqueue_email


def _render(name, **context):
    return (render_template(f"emails/{name}.txt", **context),
            render_template(f"emails/{name}.html", **context))


def link_url(purpose, booking):
    """An absolute signed link for one booking (see portal/links.py)."""
    endpoint = "links.view" if purpose == "view" else f"links.{purpose}"
    return external_url(endpoint, token=make_token(current_app.config["SECRET_KEY"], purpose,
                                                   booking))


def queue_booking_cancelled(booking, customer, service, settings, fee=None):
    """The customer's cancellation notice, with a link to view the booking (and any fee)."""
    context = dict(booking=booking, customer=customer, service=service, settings=settings,
                   tz=settings.timezone, fee=fee,
                   view_url=link_url("view", booking),
                   book_url=external_url("customer.schedule"))
    text, html = _render("booking_cancelled", **context)
    enqueue_email(
        dedupe_key=f"booking_cancelled:{booking.id}:v{booking.version}",
        to=customer.email,
        subject=f"Your booking {booking.ref} is cancelled",
        text=text, html=html,
        ics=booking_ics(booking, service, settings, "CANCEL"), ics_method="CANCEL")


def customer_actions(booking, settings, now):
    """The links an email may carry: only the actions the policy allows at render time."""
    actor = Actor("customer", booking.customer_id)
    links = {"view_url": link_url("view", booking)}
    if policy.can_cancel(booking, actor, settings, now):
        links["cancel_url"] = link_url("cancel", booking)
    return links


def queue_booking_reminder(booking, customer, service, settings, now):
    """The reminder before an appointment; once per booking and start time."""
    context = dict(booking=booking, customer=customer, service=service, settings=settings,
                   tz=settings.timezone, **customer_actions(booking, settings, now))
    text, html = _render("booking_reminder", **context)
    return enqueue_email(
        dedupe_key=f"booking_reminder:{booking.id}:{booking.starts_at.isoformat()}",
        to=customer.email,
        subject=f"Reminder: {service.name} on {when(booking.starts_at, settings.timezone)}",
        text=text, html=html,
        ics=booking_ics(booking, service, settings, "REQUEST"), ics_method="REQUEST")


def queue_staff_booking_cancelled(booking, customer, service, staff, settings):
    """Each assigned, active fieldworker hears that their job is off, with a link to it."""
    for member in staff:
        if not member.active or member.role != "fieldworker":
            continue
        context = dict(booking=booking, customer=customer, service=service, staff=member,
                       settings=settings, tz=settings.timezone,
                       job_url=external_url("fieldworker.job", ref=booking.ref))
        text, html = _render("staff_booking_cancelled", **context)
        enqueue_email(
            dedupe_key=f"staff_booking_cancelled:{booking.id}:v{booking.version}:{member.id}",
            to=member.email,
            subject=f"Job cancelled: {service.name} on "
                    f"{when(booking.starts_at, settings.timezone)} ({booking.ref})",
            text=text, html=html)
