"""A customer's own contact details, as they edit them in the portal."""
from peewee import IntegrityError

from .. import audit
from ..actors import Actor
from ..contact_details import clean_address, clean_email, clean_name, clean_phone
from ..db import locked, write_transaction
from ..errors import InvalidInput, NotFound
from ..people import Customer, email_in_use, utcnow
from . import tokens

FIELDS = ("name", "email", "phone", "address")


def _taken(email):
    return InvalidInput(f"{email} already belongs to an account. Use another address.", "email")


def update_details(customer_id, name, email, phone, address, current_password="", now=None):
    """Save what changed (with an audit event); a new email needs the current password.
    Returns the customer as now stored; InvalidInput saves nothing."""
    now = now or utcnow()
    wanted = {"name": clean_name(name, what="your name"), "email": clean_email(email),
              "phone": clean_phone(phone), "address": clean_address(address)}
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise NotFound("We couldn't find your account. Log in again.")
    if wanted["email"] != customer.email.lower() and not customer.check_password(
            current_password or ""):
        raise InvalidInput("To change your email address, enter your current password.",
                           "current_password")
    try:
        with write_transaction():
            customer = locked(Customer.select().where(Customer.id == customer_id)).get()
            before = {f: getattr(customer, f) for f in FIELDS}
            changed = {f: v for f, v in wanted.items() if before[f] != v}
            if not changed:
                return customer
            if "email" in changed and email_in_use(changed["email"], except_customer=customer.id):
                raise _taken(changed["email"])
            Customer.update(**changed).where(Customer.id == customer.id).execute()
            if "email" in changed:
                # A link mailed to the old address must not reach the account any more.
                tokens.void_open(customer.id, now)
            audit.record("customer", customer.id, "details_changed",
                         Actor("customer", customer.id, wanted["name"]), "portal",
                         before={f: before[f] for f in changed}, after=changed, at=now)
    except IntegrityError:  # someone took the address between our check and the update
        raise _taken(wanted["email"]) from None
    return Customer.get_by_id(customer_id)
