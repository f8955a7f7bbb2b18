"""What each event sends, rendered from templates/emails/ into the outbox."""
from flask import current_app, render_template

from ..links import make_token
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


def queue_booking_cancelled(booking, customer, service, settings):
    """The customer's cancellation notice, with a link to view the booking."""
    context = dict(booking=booking, customer=customer, service=service, settings=settings,
                   tz=settings.timezone,
                   view_url=link_url("view", booking),
                   book_url=external_url("customer.schedule"))
    text, html = _render("booking_cancelled", **context)
    enqueue_email(
        dedupe_key=f"booking_cancelled:{booking.id}:v{booking.version}",
        to=customer.email,
        subject=f"Your booking {booking.ref} is cancelled",
        text=text, html=html)
