"""What each event sends, rendered from templates/emails/ into the outbox."""
from flask import render_template

from ..urls import external_url
from .outbox import enqueue_email


def _render(name, **context):
    return (render_template(f"emails/{name}.txt", **context),
            render_template(f"emails/{name}.html", **context))


def queue_booking_cancelled(booking, customer, service, settings):
    """The customer's cancellation notice, with a link to view the booking."""
    context = dict(booking=booking, customer=customer, service=service, settings=settings,
                   tz=settings.timezone,
                   view_url=external_url("customer.booking", ref=booking.ref),
                   book_url=external_url("customer.schedule"))
    text, html = _render("booking_cancelled", **context)
    enqueue_email(
        dedupe_key=f"booking_cancelled:{booking.id}:v{booking.version}",
        to=customer.email,
        subject=f"Your booking {booking.ref} is cancelled",
        text=text, html=html)
