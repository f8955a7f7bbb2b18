"""What an order's events send the customer, rendered from templates/emails/ into the outbox."""
from flask import render_template
from flask_babel import gettext as _

from ..kernel.i18n import N_
from ..kernel.urls import external_url
from .language import writing_to
from .outbox import enqueue_email


def _queue(name, dedupe_key, subject, order, customer, items, settings, **extra):
    """The email `name` about `order` in the customer's language: its items, total, a link to
    its page and `extra`; `subject` a message taking the order's ref."""
    context = dict(order=order, customer=customer, items=items, settings=settings,
                   tz=settings.timezone,
                   order_url=external_url("customer.orders.show", ref=order.ref), **extra)
    with writing_to(customer, settings):
        enqueue_email(
            dedupe_key=dedupe_key,
            to=customer.email,
            subject=_(subject, ref=order.ref),
            text=render_template(f"emails/{name}.txt", **context),
            html=render_template(f"emails/{name}.html", **context))


def queue_order_placed(order, customer, items, settings):
    """The customer's confirmation of `order`: its items and total, and a link to its page."""
    _queue("order_placed", f"order_placed:{order.id}", N_("Your order %(ref)s is placed"),
           order, customer, items, settings)


def queue_order_cancelled(order, customer, items, settings, refund=None):
    """The customer's notice that `order` is cancelled: items, total and any refund asked for.

    `items` are the order's OrderItems with their products loaded; `refund` the Refund
    requested in the same transaction, if something had been paid.
    """
    _queue("order_cancelled", f"order_cancelled:{order.id}:v{order.version}",
           N_("Your order %(ref)s is cancelled"), order, customer, items, settings,
           refund=refund)
