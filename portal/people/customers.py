"""Customers in the back office: adding one (with the invitation to set a password), editing
their details, sending the invitation again. Each change is one write transaction with its
audit event; the pages' reads are in portal/people/customer_queries.py."""
from peewee import IntegrityError

from .. import audit
from ..accounts import tokens
from ..accounts.invitations import queue_invitation
from ..kernel.clock import utcnow
from ..kernel.db import locked, write_transaction
from ..kernel.errors import Conflict, InvalidInput, NotFound
from . import Customer, email_in_use
from .contact_details import clean_address, clean_email, clean_name, clean_phone

FIELDS = ("name", "email", "phone", "address", "may_book_online")


def clean(fields, *, prefix=""):
    """The form's values checked and tidied; InvalidInput's code is the field at fault (with
    `prefix`, as the inline form on New booking names them: new_name, new_email...)."""
    values = {"name": clean_name(fields.get("name"), prefix + "name", "the customer's name"),
              "email": clean_email(fields.get("email"), prefix + "email"),
              "phone": clean_phone(fields.get("phone"), prefix + "phone"),
              "address": clean_address(fields.get("address"), prefix + "address")}
    values["may_book_online"] = bool(fields.get("may_book_online", True))
    return values


def _taken(email, field, keep_id=None):
    """The error for an address another account logs in with, else None."""
    if email_in_use(email, except_customer=keep_id):
        return InvalidInput(f"{email} already belongs to an account. Search for that customer "
                            "instead, or use another address.", field)
    return None


def create_customer(fields, actor, *, channel="admin", prefix=""):
    """Add a customer and queue their invitation to set a password; returns the Customer.

    Runs inside a caller's transaction too (New booking adds the customer and the booking
    together: if the booking fails, there is no customer either)."""
    values = clean(fields, prefix=prefix)
    try:
        with write_transaction():
            taken = _taken(values["email"], prefix + "email")
            if taken:
                raise taken
            customer = Customer.create(**values)
            audit.record("customer", customer.id, "customer_created", actor, channel,
                         after=values)
            queue_invitation(customer)
    except IntegrityError:  # another admin added the same address a moment ago
        raise _taken(values["email"], prefix + "email") or InvalidInput(
            "That customer could not be saved. Reload and try again.") from None
    return customer


def update_customer(customer_id, fields, actor):
    """Save an edit; returns the names of the fields that changed (maybe none)."""
    values = clean(fields)
    try:
        with write_transaction():
            customer = locked(Customer.select().where(Customer.id == customer_id)).get_or_none()
            if customer is None:
                raise NotFound("We couldn't find that customer. Reload the list.")
            changed = {f: v for f, v in values.items() if getattr(customer, f) != v}
            if "email" in changed:
                taken = _taken(values["email"], "email", keep_id=customer.id)
                if taken:
                    raise taken
            if not changed:
                return []
            Customer.update(**changed).where(Customer.id == customer.id).execute()
            if "email" in changed:
                # A link mailed to the old address must not reach the account any more.
                tokens.void_open(customer.id, utcnow())
            audit.record("customer", customer.id, "customer_updated", actor, "admin",
                         before={f: getattr(customer, f) for f in changed}, after=changed)
    except IntegrityError:
        raise _taken(values["email"], "email", keep_id=customer_id) or InvalidInput(
            "That change could not be saved. Reload and try again.") from None
    return sorted(changed)


def resend_invitation(customer_id, actor):
    """Queue a fresh invitation email (a new link; the old one still works until it expires
    or is used); returns the customer."""
    with write_transaction():
        customer = locked(Customer.select().where(Customer.id == customer_id)).get_or_none()
        if customer is None:
            raise NotFound("We couldn't find that customer. Reload the list.")
        if customer.password_hash:
            raise Conflict(f"{customer.name} has already set a password. If they have "
                           "forgotten it, \u201cForgot password\u201d on the login page "
                           "sends them a new link.", "has_password")
        queue_invitation(customer)
        audit.record("customer", customer.id, "invitation_sent", actor, "admin",
                     after={"email": customer.email})
    return customer
