"""A customer's own contact details, as they edit them in the portal.

Name, phone and address save at once. A new email needs the current password (checked under
the login limits, so /account can't be used to guess it) and applies only when the link mailed
to the new address is opened (email_change.py); the answer is the same whether or not another
account uses that address.
"""
from datetime import datetime

from .. import audit
from ..kernel.actors import Actor
from ..kernel import languages
from ..kernel.clock import utcnow
from ..kernel.db import locked, write_transaction
from ..kernel.errors import InvalidInput, NotFound
from ..people import Customer
from ..people.contact_details import clean_address, clean_email, clean_name, clean_phone
from . import email_change, throttle

FIELDS = ("name", "phone", "address", "language")


def _check_current_password(customer, current_password, address):
    """A wrong password here is a failed login: counted, and refused (429) once the account
    or address has used its tries."""
    if not throttle.password_try(customer.email, address,
                                 lambda: customer.check_password(current_password or "")):
        raise InvalidInput("To change your email address, enter your current password.",
                           "current_password")


def update_details(customer_id: int, name: str, email: str, phone: str, address: str,
                   current_password: str = "", client_address: str | None = None,
                   now: datetime | None = None, language: str | None = None):
    """Save what changed (with an audit event) and, for a new email, send its confirmation link.
    Returns (customer as now stored, the new email waiting for confirmation or None).
    InvalidInput and TooManyAttempts save nothing."""
    now = now or utcnow()
    wanted = {"name": clean_name(name, what="your name"), "phone": clean_phone(phone),
              "address": clean_address(address)}
    if language:  # None or "": the form said no language (it stays as it is)
        if language not in languages.SUPPORTED:
            raise InvalidInput("Choose one of the languages in the list.", "language")
        wanted["language"] = language
    new_email = clean_email(email)
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise NotFound("We couldn't find your account. Log in again.")
    if new_email == customer.email.lower():
        new_email = None
    else:
        _check_current_password(customer, current_password, client_address)
    with write_transaction():
        customer = locked(Customer.select().where(Customer.id == customer_id)).get()
        before = {f: getattr(customer, f) for f in FIELDS}
        changed = {f: v for f, v in wanted.items() if before[f] != v}
        if changed:
            Customer.update(**changed).where(Customer.id == customer.id).execute()
            audit.record("customer", customer.id, "details_changed",
                         Actor("customer", customer.id, wanted["name"]), "portal",
                         before={f: before[f] for f in changed}, after=changed, at=now)
        if new_email is not None:
            email_change.request_change(customer, new_email, now)
    return Customer.get_by_id(customer_id), new_email


def take_language(customer_id: int, language: str | None) -> None:
    """A customer who never chose a language gets the browser's at login (theirs to change
    under Account); one who chose keeps theirs."""
    if languages.known(language):
        (Customer.update(language=languages.known(language))
         .where((Customer.id == customer_id) & (Customer.language == "")).execute())
