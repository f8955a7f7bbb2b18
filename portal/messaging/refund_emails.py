"""What a refund decision sends the customer (approved, rejected, processed), for a booking's
invoice or an order's alike, rendered from templates/emails/ into the outbox."""
from flask import render_template
from flask_babel import gettext as _
from peewee import JOIN

from ..billing.models import Invoice
from ..bookings.models import Booking
from ..kernel.i18n import N_
from ..kernel.timefmt import money
from ..kernel.urls import external_url
from ..orders.models import Order
from ..people import Customer
from . import business_templates
from .email_kinds import REFUND_KINDS
from .language import language_of, writing_in
from .outbox import enqueue_email

SUBJECTS = {"approved": N_("Refund approved: %(amount)s for %(what)s"),
            "rejected": N_("Refund not approved: %(amount)s for %(what)s"),
            "processed": N_("Refund paid: %(amount)s for %(what)s")}


def _paid_for(invoice_id):
    """The invoice with its customer and the booking or order it bills, in one query."""
    return (Invoice.select(Invoice.currency, Customer.name, Customer.email, Customer.language,
                           Booking.ref.alias("booking_ref"), Order.ref.alias("order_ref"))
            .join(Customer, on=(Invoice.customer == Customer.id))
            .switch(Invoice).join(Booking, JOIN.LEFT_OUTER, on=(Invoice.booking == Booking.id))
            .switch(Invoice).join(Order, JOIN.LEFT_OUTER, on=(Order.invoice == Invoice.id))
            .where(Invoice.id == invoice_id).dicts().get())


def queue_refund_decided(refund, step, settings):
    """The customer's email about `refund` just becoming `step` (approved with the amount,
    rejected with the note, processed with the payout reference). Call inside the decision's
    transaction; one email per refund and decision (the key holds the refund's new version)."""
    facts = _paid_for(refund.invoice_id)
    language = language_of(facts["language"], settings)
    with writing_in(language):
        if facts["booking_ref"]:
            what = _("booking %(ref)s", ref=facts["booking_ref"])
            page_url = external_url("customer.bookings.show", ref=facts["booking_ref"])
        else:  # an order's invoice (every invoice bills a booking or an order)
            what = _("order %(ref)s", ref=facts["order_ref"])
            page_url = external_url("customer.orders.show", ref=facts["order_ref"])
        amount = money(refund.amount, facts["currency"])
        context = dict(refund=refund, step=step, customer_name=facts["name"], what=what,
                       amount=amount, page_url=page_url, settings=settings,
                       tz=settings.timezone)
        own = business_templates.compose(
            REFUND_KINDS[step], language,
            settings, lambda: {"customer_name": facts["name"], "refund": amount, "what": what,
                               "note": refund.decision_note or "",
                               "reference": refund.processed_reference or "",
                               "page_button": business_templates.button(page_url,
                                                                        _("See it online")),
                               **business_templates.business_values(settings)})
        return enqueue_email(
            dedupe_key=f"refund_{step}:{refund.id}:v{refund.version}",
            to=facts["email"],
            subject=own["subject"] if own else _(SUBJECTS[step], amount=amount, what=what),
            text=own["text"] if own else render_template("emails/refund_decided.txt", **context),
            html=own["html"] if own else render_template("emails/refund_decided.html",
                                                         **context))
