"""The emails that carry account links: the invitation and the password reset."""
from types import SimpleNamespace

from flask import render_template
from flask_babel import gettext as _

from ..kernel.clock import utcnow
from ..kernel.i18n import N_
from ..kernel.timefmt import when
from ..kernel.urls import external_url
from ..messaging import business_templates
from ..messaging.language import language_for, writing_to
from ..messaging.outbox import enqueue_email
from ..settings import Settings
from . import tokens
from .models import INVITE, RESET

SUBJECTS = {INVITE: N_("Set your password for %(business)s"),
            RESET: N_("Reset your password for %(business)s")}
LABELS = {INVITE: N_("Set your password"), RESET: N_("Choose a new password")}  # own templates
ENDPOINTS = {INVITE: "customer.account.invite", RESET: "customer.account.reset"}


def _render(purpose, customer, url, expires_at, settings):
    """(subject, text, html) in the customer's language: the business's own template for that
    language when it wrote one (Settings > Email templates), else the files'."""
    with writing_to(customer, settings):
        own = business_templates.compose(
            f"account_{purpose}", language_for(customer, settings),
            settings, lambda: {"customer_name": customer.name, "customer_email": customer.email,
                               "expires": when(expires_at, settings.timezone),
                               "link_button": business_templates.button(url,
                                                                         _(LABELS[purpose])),
                               **business_templates.business_values(settings)})
        if own:
            return own["subject"], own["text"], own["html"]
        context = dict(customer=customer, url=url, expires_at=expires_at, settings=settings,
                       tz=settings.timezone, lifetime=tokens.lifetime(purpose))
        return (_(SUBJECTS[purpose], business=settings.business_name),
                render_template(f"emails/account_{purpose}.txt", **context),
                render_template(f"emails/account_{purpose}.html", **context))


def _queue(customer, purpose, now):
    token, row = tokens.issue(customer, purpose, now)
    url = external_url(ENDPOINTS[purpose], token=token)
    subject, text, html = _render(purpose, customer, url, row.expires_at, Settings.current())
    enqueue_email(dedupe_key=f"account_{purpose}:{row.id}", to=customer.email,
                  subject=subject, text=text, html=html)
    return url


def queue_invitation(customer, now=None):
    """Queue the invitation to set a password, in the caller's transaction; returns its link."""
    return _queue(customer, INVITE, now or utcnow())


def queue_reset(customer, now=None):
    """Queue a password-reset email, in the caller's transaction; returns its link."""
    return _queue(customer, RESET, now or utcnow())


def render_decoy(now=None):
    """Do the work of queue_reset() for an address with no account, and send nothing, so the
    forgot-password answer takes about as long either way."""
    settings = Settings.current()
    url = external_url(ENDPOINTS[RESET], token=tokens.decoy(RESET))
    _render(RESET, SimpleNamespace(name="", email="", language=""), url, now or utcnow(),
            settings)
