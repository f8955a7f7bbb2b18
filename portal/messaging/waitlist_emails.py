"""The waitlist offer email: a released time, and one signed link to claim it."""
from flask import current_app, render_template
from flask_babel import gettext as _

from ..bookings.waitlist_links import make_offer_token
from ..kernel.timefmt import when, when_range
from ..kernel.urls import external_url
from ..people import Customer
from .language import writing_to
from .outbox import enqueue_email, one_insert


def offer_url(offer) -> str:
    return external_url("links.waitlist.show",
                        token=make_offer_token(current_app.config["SECRET_KEY"], offer))


def queue_offers(offers, settings) -> None:
    """One email per offer (each `offer.entry` and `offer.service` set), in the order given:
    the order the customers joined. Rendered now: an offer is rare next to a cancellation."""
    customers = {c.id: c for c in Customer.select().where(
        Customer.id.in_({o.entry.customer_id for o in offers}))}
    tz = settings.timezone
    with one_insert():
        for offer in offers:
            customer = customers[offer.entry.customer_id]
            with writing_to(customer, settings):  # each customer's own language
                context = dict(customer=customer, service=offer.service, settings=settings,
                               when=when_range(offer.starts_at, offer.ends_at, tz),
                               expires=when(offer.expires_at, tz), claim_url=offer_url(offer),
                               one_at_a_time=bool(settings.waitlist_batch))
                enqueue_email(
                    dedupe_key=f"waitlist_offer:{offer.id}",
                    to=customer.email,
                    subject=_("A time has come free: %(service)s on %(when)s",
                              service=offer.service.name, when=when(offer.starts_at, tz)),
                    text=render_template("emails/waitlist_offer.txt", **context),
                    html=render_template("emails/waitlist_offer.html", **context))
