"""What Settings > Emails shows and sends before a template is saved: the template filled in
with a real booking's values (the actions the policy allows its customer now), and a test
email to the admin through the outbox."""
import secrets
from datetime import timedelta

from ..bookings.models import Booking, Service
from ..kernel.db import write_transaction
from ..kernel.errors import NotFound
from ..kernel.languages import SUPPORTED
from ..kernel.timefmt import money, when
from ..kernel.urls import external_url
from ..people import Customer
from . import business_templates as bt
from .email_kinds import KINDS
from .emails import customer_actions
from .outbox import enqueue_email
from .template_models import EmailTemplate

PREVIEW_BOOKINGS = 30


def overview(settings):
    """[(kind, label, {language: customised?})] for the list of emails."""
    listed = bt.customised(settings)
    return [(kind, spec.label, {lang: f"{kind}:{lang}" in listed for lang in SUPPORTED})
            for kind, spec in KINDS.items()]


def current(kind, language):
    """(subject, text, formatted, saved row or None): the business's template, or the starting
    text to edit when it has none."""
    spec = bt.kind_of(kind, language)
    row = EmailTemplate.get_or_none((EmailTemplate.kind == kind)
                                    & (EmailTemplate.language == language))
    if row:
        return row.subject, row.body_text, row.body_formatted, row
    return spec.subject, spec.text, spec.formatted, None


def bookings():
    """The bookings a preview may use: the latest few, newest first."""
    return list(Booking.select(Booking, Service, Customer).join(Service).switch(Booking)
                .join(Customer).order_by(Booking.starts_at.desc()).limit(PREVIEW_BOOKINGS))


def _booking(ref):
    query = (Booking.select(Booking, Service, Customer).join(Service).switch(Booking)
             .join(Customer))
    booking = query.where(Booking.ref == ref).first() if ref else None
    booking = booking or query.order_by(Booking.starts_at.desc()).first()
    if booking is None:
        raise NotFound("There is no booking to preview with yet: make one, then preview.")
    return booking


def _values(kind, booking, settings, now):
    customer, service = booking.customer, booking.service
    if kind.startswith("refund_"):
        return {"customer_name": customer.name, "refund": money(booking.price, settings.currency),
                "what": f"booking {booking.ref}", "note": "(the note you write with it)",
                "reference": "(the payout's reference)",
                "page_button": bt.button(external_url("customer.bookings.show", ref=booking.ref),
                                         "See it online"),
                **bt.business_values(settings)}
    if kind.startswith("account_"):
        return {"customer_name": customer.name, "customer_email": customer.email,
                "expires": when(now + timedelta(days=3), settings.timezone),
                # a preview's link goes to the login page: a real one would make a token
                "link_button": bt.button(external_url("auth.login"), "Set your password"),
                **bt.business_values(settings)}
    links = customer_actions(booking, settings, now)
    if kind == "booking_cancelled":
        return bt.cancellation_values(booking, customer, service, settings, None, None,
                                      {**links, "book_url": external_url(
                                          "customer.bookings.schedule")})
    return bt.booking_values(booking, customer, service, settings, links,
                             old_time=when(booking.starts_at - timedelta(days=1),
                                           settings.timezone))


def preview(kind, language, subject, text, formatted, booking_ref, settings, now,
            framed=False):
    """The draft filled in with a real booking: {"subject", "text", "html", "booking"};
    refuses (422, the line named) a draft that could not be saved either."""
    bt.kind_of(kind, language)
    subject = bt.check(kind, subject, text, formatted)
    booking = _booking(booking_ref)
    email = bt.fill(subject, text, formatted, _values(kind, booking, settings, now), settings,
                    language, preview=framed)
    return {**email, "booking": booking}


def send_test(kind, language, subject, text, formatted, booking_ref, settings, now, to):
    """Queue the draft, filled in with a real booking, to `to` (the admin) through the outbox."""
    email = preview(kind, language, subject, text, formatted, booking_ref, settings, now)
    with write_transaction():
        enqueue_email(dedupe_key=f"template_test:{kind}:{language}:{secrets.token_hex(8)}",
                      to=to, subject=f"[Test] {email['subject']}", text=email["text"],
                      html=email["html"])
    return email
