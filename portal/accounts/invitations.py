"""The emails that carry account links: the invitation and the password reset."""
from types import SimpleNamespace

from flask import render_template

from ..kernel.clock import utcnow
from ..kernel.timefmt import when
from ..kernel.urls import external_url
from ..messaging import business_templates
from ..messaging.outbox import enqueue_email
from ..settings import Settings
from . import tokens
from .models import INVITE, RESET

SUBJECTS = {INVITE: "Set your password for {business}",
            RESET: "Reset your password for {business}"}
LABELS = {INVITE: "Set your password", RESET: "Choose a new password"}  # their own templates
ENDPOINTS = {INVITE: "customer.account.invite", RESET: "customer.account.reset"}


def _render(purpose, customer, url, expires_at, settings):
    """(subject, text, html): the business's own template for the customer's language when it
    wrote one (Settings > Emails), else the files'."""
    own = business_templates.compose(
        f"account_{purpose}", business_templates.language_of(customer.language, settings),
        settings, lambda: {"customer_name": customer.name, "customer_email": customer.email,
                           "expires": when(expires_at, settings.timezone),
                           "link_button": business_templates.button(url, LABELS[purpose]),
                           **business_templates.business_values(settings)})
    if own:
        return own["subject"], own["text"], own["html"]
    context = dict(customer=customer, url=url, expires_at=expires_at, settings=settings,
                   tz=settings.timezone, lifetime=tokens.lifetime(purpose))
    return (SUBJECTS[purpose].format(business=settings.business_name),
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
