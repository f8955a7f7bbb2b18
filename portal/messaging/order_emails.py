"""What an order's events send the customer, rendered from templates/emails/ into the outbox."""
from flask import render_template
from flask_babel import gettext as _

from ..kernel.urls import external_url
from .language import writing_to
from .outbox import enqueue_email


def queue_order_placed(order, customer, items, settings):
    """The customer's confirmation of `order`: its items and total, and a link to its page."""
    context = dict(order=order, customer=customer, items=items, settings=settings,
                   tz=settings.timezone,
                   order_url=external_url("customer.orders.show", ref=order.ref))
    with writing_to(customer, settings):
        enqueue_email(
            dedupe_key=f"order_placed:{order.id}",
            to=customer.email,
            subject=_("Your order %(ref)s is placed", ref=order.ref),
            text=render_template("emails/order_placed.txt", **context),
            html=render_template("emails/order_placed.html", **context))


def queue_order_cancelled(order, customer, items, settings, refund=None):
    """The customer's notice that `order` is cancelled: items, total and any refund asked for.

    `items` are the order's OrderItems with their products loaded; `refund` the Refund
    requested in the same transaction, if something had been paid.
    """
    context = dict(order=order, customer=customer, items=items, settings=settings,
                   tz=settings.timezone, refund=refund,
                   order_url=external_url("customer.orders.show", ref=order.ref))
    with writing_to(customer, settings):
        enqueue_email(
            dedupe_key=f"order_cancelled:{order.id}:v{order.version}",
            to=customer.email,
            subject=_("Your order %(ref)s is cancelled", ref=order.ref),
            text=render_template("emails/order_cancelled.txt", **context),
            html=render_template("emails/order_cancelled.html", **context))
