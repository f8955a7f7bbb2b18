"""Changing a customer's login email: it applies only when a link mailed to the new address
is opened, and the answer never says whether another account uses that address.

Asking (with the current password) always does the same work: one AccountToken row (purpose
"email"), one email to the new address. A free address gets the confirmation link; an address
that already has an account gets a note saying so (its owner learns someone tried, the asker
learns nothing). The link is an itsdangerous signature over the customer, the new address, a
random secret and the expiry; the row holds only the secret's SHA-256 and makes it single-use,
as with invitations and resets (tokens.py).
"""
import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from flask import current_app, render_template
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from peewee import IntegrityError

from .. import audit
from ..kernel.actors import Actor
from ..kernel.clock import utcnow
from ..kernel.db import locked, write_transaction
from ..kernel.errors import Conflict
from ..kernel.i18n import N_
from ..kernel.urls import external_url
from ..messaging.language import writing_to
from ..messaging.outbox import enqueue_email
from ..people import Customer, email_in_use
from ..settings import Settings
from . import tokens
from .models import AccountToken

PURPOSE = "email"
ASK_AGAIN = N_("Change your email again under Account to get a new link.")


def lifetime() -> timedelta:
    return timedelta(hours=float(current_app.config.get("EMAIL_CHANGE_LINK_HOURS", 24)))


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="rebook-account-email")


def _digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def _epoch(dt):
    return int(dt.replace(tzinfo=timezone.utc).timestamp())


def request_change(customer, new_email: str, now: datetime) -> None:
    """In the caller's transaction: void this customer's earlier email-change links, store a new
    one, and queue the email for `new_email` (a link, or a note that it has an account)."""
    (AccountToken.update(used_at=now)
     .where((AccountToken.customer == customer.id) & (AccountToken.purpose == PURPOSE)
            & AccountToken.used_at.is_null()).execute())
    secret = secrets.token_urlsafe(24)
    expires_at = (now + lifetime()).replace(microsecond=0)
    row = AccountToken.create(customer=customer.id, purpose=PURPOSE, token_hash=_digest(secret),
                              expires_at=expires_at, created_at=now)
    token = _serializer().dumps({"c": customer.id, "m": new_email, "s": secret,
                                 "e": _epoch(expires_at)})
    taken = email_in_use(new_email, except_customer=customer.id)
    settings = Settings.current()
    context = dict(customer=customer, new_email=new_email, settings=settings, tz=settings.timezone,
                   expires_at=expires_at, url=None if taken else external_url(
                       "customer.account.confirm_email", token=token))
    kind = "email_taken" if taken else "email_confirm"
    with writing_to(customer, settings):
        subject = (_("Someone tried to use this address at %(business)s",
                     business=settings.business_name) if taken
                   else _("Confirm your new email address for %(business)s",
                          business=settings.business_name))
        enqueue_email(dedupe_key=f"account_{kind}:{row.id}", to=new_email, subject=subject,
                      text=render_template(f"emails/account_{kind}.txt", **context),
                      html=render_template(f"emails/account_{kind}.html", **context))


def _then_ask(said):
    return f"{said} {_(ASK_AGAIN)}"


def _unsigned(token):
    try:
        data = _serializer().loads(token)
        return int(data["c"]), str(data["m"]), _digest(str(data["s"])), int(data["e"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise tokens.TokenInvalid(_then_ask(_(
            "This link is not valid. It may have been copied incompletely."))) from None


def _row(token, now, lock=False):
    customer_id, new_email, digest, expires = _unsigned(token)
    query = (AccountToken.select(AccountToken, Customer).join(Customer)
             .where((AccountToken.token_hash == digest) & (AccountToken.purpose == PURPOSE)
                    & (AccountToken.customer == customer_id)))
    row = (locked(query) if lock else query).get_or_none()
    if row is None:
        if _epoch(now) >= expires:
            raise tokens.TokenGone(_then_ask(_("This link has expired.")), "token_expired")
        raise tokens.TokenInvalid(_then_ask(_("This link is no longer valid.")))
    if row.used_at is not None:
        raise tokens.TokenGone(_then_ask(_("This link has already been used, or a newer one "
                                           "was sent.")), "token_used")
    if row.expires_at <= now:
        raise tokens.TokenGone(_then_ask(_("This link has expired.")), "token_expired")
    return row, new_email


def read(token: str, now: datetime):
    """(customer, new email) for an open link; changes nothing (mail scanners open links)."""
    row, new_email = _row(token, now)
    return row.customer, new_email


def _tell_old_address(customer, new_email, row_id):
    """The old address hears of the change: if it wasn't them, they know whom to call."""
    settings = Settings.current()
    context = dict(customer=customer, new_email=new_email, settings=settings)
    with writing_to(customer, settings):
        enqueue_email(dedupe_key=f"account_email_changed:{row_id}", to=customer.email,
                      subject=_("Your login email for %(business)s has changed",
                                business=settings.business_name),
                      text=render_template("emails/account_email_changed.txt", **context),
                      html=render_template("emails/account_email_changed.html", **context))


def _taken(email):
    return Conflict(f"{email} now belongs to another account, so it can't be yours too. "
                    "Keep your current address or choose another under Account.", "email_taken")


def confirm(token: str, now: datetime | None = None):
    """Apply the change a link names (once); returns the customer as now stored.
    TokenInvalid / TokenGone / Conflict change nothing."""
    now = now or utcnow()
    try:
        with write_transaction():
            row, new_email = _row(token, now, lock=True)
            customer = row.customer
            if email_in_use(new_email, except_customer=customer.id):
                raise _taken(new_email)
            Customer.update(email=new_email).where(Customer.id == customer.id).execute()
            # Marks this link used too, and no reset link mailed to the old address works.
            tokens.void_open(customer.id, now)
            audit.record("customer", customer.id, "details_changed",
                         Actor("customer", customer.id, customer.name), "email_link",
                         before={"email": customer.email}, after={"email": new_email}, at=now)
            _tell_old_address(customer, new_email, row.id)
    except IntegrityError:  # the address was taken between our check and the update
        raise _taken(new_email) from None
    return Customer.get_by_id(customer.id)
