"""The email templates a business writes itself: finding the one for an email, filling it
in, and saving or resetting it (Settings > Emails).

Every place that builds a customer email asks `compose(kind, language, settings, values)`
first; None (no template for that kind and language, the usual case) means the file in
templates/emails/ is sent as before. The settings row lists the kinds and languages that have
one (`custom_emails`), so the usual case costs no query."""
import logging

from flask import current_app
from markupsafe import Markup

from .. import audit
from ..bookings.models import Assignment
from ..kernel.clock import utcnow
from ..kernel.db import locked, write_transaction
from ..kernel.errors import InvalidInput, NotFound
from ..kernel.languages import DEFAULT, SUPPORTED
from ..kernel.timefmt import money, when
from ..people import Staff
from ..settings import Settings
from . import placeholders
from .email_kinds import KINDS
from .template_models import EmailTemplate

log = logging.getLogger(__name__)

MAX_SUBJECT = 200
MAX_BODY = 8_000  # under the input guard's FIELD_MAX, so this message is the one shown


def customised(settings) -> set:
    return set((getattr(settings, "custom_emails", "") or "").split())


def customised_in(kind, language, settings) -> bool:
    """Did the business write its own `kind` email for `language` (compose's first test)?"""
    return f"{kind}:{language}" in customised(settings)


def compose(kind, language, settings, values, listed=None):
    """{"subject", "text", "html"} from the business's template for `kind` in `language`, or
    None when there is none. `values` is a function giving the placeholders' values (called
    only when there is a template); `listed` the customised kinds when the caller knows them
    better than `settings` (the worker, from the row's snapshot). A template that fails to
    fill in (it was checked when saved, so this means a bug) is logged and the file's email
    sent instead: never a failed send."""
    if f"{kind}:{language}" not in (customised(settings) if listed is None else listed):
        return None
    row = EmailTemplate.get_or_none((EmailTemplate.kind == kind)
                                    & (EmailTemplate.language == language))
    if row is None:
        return None
    try:
        return fill(row.subject, row.body_text, row.body_formatted, values(), settings,
                    language)
    except Exception:
        log.exception("email template %s/%s could not be filled in; sent the default",
                      kind, language)
        return None


def fill(subject, text, formatted, values, settings, language=DEFAULT, preview=False):
    """The email a template makes with these values: subject, text and the HTML document
    (with the subject and text shown above and below it when `preview`, for the admin)."""
    subject = placeholders.render_line(subject, values)
    text = placeholders.render_text(text, values)
    body = Markup(placeholders.render_html(formatted, values))
    html = current_app.jinja_env.get_template("emails/business.html").render(
        body=body, settings=settings, language=language,
        preview={"subject": subject, "text": text} if preview else None)
    return {"subject": subject, "text": text, "html": html}


# -- the values ------------------------------------------------------------------------------

def button(url, label, style="primary"):
    """An action placeholder's value: the label and link as text, the kit's button as HTML."""
    kit = current_app.jinja_env.get_template("emails/_kit.html").module
    return placeholders.Rich(f"{label}:\n{url}", str(kit.button(url, label, style)))


def business_values(settings) -> dict:
    return {"business_name": settings.business_name,
            "business_phone": settings.contact_phone or "",
            "business_email": settings.contact_email or ""}


def _fieldworkers(booking_id):
    return lambda: ", ".join(
        s.name for s in Staff.select(Staff.name).join(Assignment)
        .where(Assignment.booking == booking_id).order_by(Staff.name))


def booking_values(booking, customer, service, settings, links, **extra) -> dict:
    """The placeholders of a booking's emails. `links` are the actions the policy allows
    this customer now (emails.customer_actions): a button missing from them is empty (so a
    flag switched off takes the button out of every new email, whatever the template says)."""
    values = {"customer_name": customer.name, "service": service.name,
              "time": when(booking.starts_at, settings.timezone),
              "address": booking.address or "", "booking_ref": booking.ref,
              "fieldworker": _fieldworkers(booking.id), **business_values(settings), **extra}
    values["booking_button"] = (button(links["view_url"], "View booking")
                                if links.get("view_url") else "")
    values["reschedule_button"] = (button(links["reschedule_url"], "Reschedule",
                                          "secondary") if links.get("reschedule_url") else "")
    values["cancel_button"] = (button(links["cancel_url"], "Cancel booking", "danger")
                               if links.get("cancel_url") else "")
    return values


def cancellation_values(booking, customer, service, settings, fee, refund, links) -> dict:
    """A cancellation notice's placeholders (at send, from the outbox row's snapshot)."""
    currency = settings.currency
    extra = {"reason": booking.cancel_reason_label or "",
             "fee": money(fee, currency) if fee else "",
             "refund": money(refund.amount, currency) if refund else "",
             "book_again_button": (button(links["book_url"], "Book a new visit", "secondary")
                                   if links.get("book_url") else "")}
    return booking_values(booking, customer, service, settings, links, **extra)


# -- saving and resetting ---------------------------------------------------------------------

def kind_of(kind, language):
    if kind not in KINDS or language not in SUPPORTED:
        raise NotFound("There is no such email. Pick one from Settings > Emails.")
    return KINDS[kind]


def check(kind, subject, text, formatted):
    """Refuse what could not be sent: a missing or over-long part, a broken brace, a name that
    is not one of the email's placeholders, a required placeholder left out."""
    spec = KINDS[kind]
    subject = (subject or "").strip()
    if not subject or "\n" in subject or "\r" in subject:
        raise InvalidInput("The subject must be one line of text.")
    if len(subject) > MAX_SUBJECT:
        raise InvalidInput(f"Please keep the subject to {MAX_SUBJECT} characters.")
    for body, name in ((text, "text body"), (formatted, "formatted body")):
        if not (body or "").strip():
            raise InvalidInput(f"The {name} is empty: write the email, or reset it to the "
                               "default.")
        if len(body) > MAX_BODY:
            raise InvalidInput(f"Please keep the {name} to {MAX_BODY:,} characters.")
    allowed = set(spec.placeholders)
    placeholders.check(subject, allowed - {n for n in allowed if n.endswith("_button")},
                       "subject")
    placeholders.check(text, allowed, "text body")
    placeholders.check(formatted, allowed, "formatted body")
    for name in spec.required:
        for body, field in ((text, "text body"), (formatted, "formatted body")):
            if name not in placeholders.names(body):
                raise InvalidInput(f"The {field} needs {{{name}}}: without it the customer "
                                   "cannot use this email.")
    return subject


def _list_customised(settings_id):
    pairs = sorted(f"{k}:{lang}" for k, lang in
                   EmailTemplate.select(EmailTemplate.kind, EmailTemplate.language).tuples())
    Settings.update(custom_emails=" ".join(pairs)).where(Settings.id == settings_id).execute()


def save_template(kind, language, subject, text, formatted, actor, now=None) -> EmailTemplate:
    """Save the business's template for `kind` in `language`, audited; refuses (422, the
    line named) one that could not be sent."""
    kind_of(kind, language)
    text, formatted = (text or "").replace("\r\n", "\n"), (formatted or "").replace("\r\n", "\n")
    subject = check(kind, subject, text, formatted)
    now = now or utcnow()
    with write_transaction():
        settings = locked(Settings.select().order_by(Settings.id).limit(1)).get()  # one at a time
        row = EmailTemplate.get_or_none((EmailTemplate.kind == kind)
                                        & (EmailTemplate.language == language))
        before = {"subject": row.subject, "body_text": row.body_text,
                  "body_formatted": row.body_formatted} if row else {}
        after = {"subject": subject, "body_text": text, "body_formatted": formatted}
        if row is None:
            row = EmailTemplate.create(kind=kind, language=language, updated_at=now,
                                       updated_by=actor.label, **after)
        elif before != after:
            EmailTemplate.update(updated_at=now, updated_by=actor.label, **after).where(
                EmailTemplate.id == row.id).execute()
        else:
            return row
        _list_customised(settings.id)
        audit.record("settings", settings.id, "email_template_saved", actor, "admin",
                     before=before, after=after, note=f"{kind} ({language})", at=now)
    return row


def reset_template(kind, language, actor, now=None) -> bool:
    """Back to the default email (the file's); False when it was not customised."""
    kind_of(kind, language)
    with write_transaction():
        settings = locked(Settings.select().order_by(Settings.id).limit(1)).get()
        row = EmailTemplate.get_or_none((EmailTemplate.kind == kind)
                                        & (EmailTemplate.language == language))
        if row is None:
            return False
        row.delete_instance()
        _list_customised(settings.id)
        audit.record("settings", settings.id, "email_template_reset", actor, "admin",
                     before={"subject": row.subject, "body_text": row.body_text,
                             "body_formatted": row.body_formatted},
                     note=f"{kind} ({language})", at=now)
    return True
