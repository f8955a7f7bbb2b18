"""Customers and staff: who can log in, their roles and permissions."""
import secrets
from functools import cache

from flask_login import UserMixin
from peewee import BooleanField, CharField, DateTimeField, IntegerField, TextField, fn
from werkzeug.security import check_password_hash, generate_password_hash

from ..kernel.clock import utcnow
from ..kernel.db import BaseModel


@cache
def _dummy_hash():
    """A hash made the way real ones are (werkzeug's default, scrypt), of a password nobody
    knows: checked when there is no account, so a miss costs what a hit costs."""
    return generate_password_hash(secrets.token_urlsafe(16))


class PasswordMixin:
    """Passwords, and the session epoch: bumping it ends every session made before."""

    # '<kind>:<secret>' of the login session this object was loaded for or logged in with
    # (portal/accounts/sessions.py); Flask-Login keeps it in the signed cookie.
    session_key = None

    def get_id(self):
        if self.session_key is None:
            raise RuntimeError("Start a session first: portal.accounts.sessions.start()")
        return self.session_key

    # Flask-Login's UserMixin compares get_id(), which is now per session: compare rows.
    def __eq__(self, other):
        return (isinstance(other, PasswordMixin) and self.kind_key == other.kind_key
                and self.id is not None and self.id == other.id)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((self.kind_key, self.id))

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)


class Customer(PasswordMixin, UserMixin, BaseModel):
    name = CharField(max_length=120)
    email = CharField(max_length=254, unique=True)
    phone = CharField(max_length=40, default="")
    address = TextField(default="")
    password_hash = CharField(max_length=255, default="")
    may_book_online = BooleanField(default=True)
    session_epoch = IntegerField(default=0)
    created_at = DateTimeField(default=utcnow)
    language = CharField(max_length=8, default="")  # kernel/languages.py; "" = not chosen yet

    kind = "customer"
    kind_key = "customer"


# Admin › Customers and the booking picker list customers by lower-case name, then id: read in
# that order from this index, a page costs the same however many customers there are
# (migration 0029).
Customer.add_index(Customer.index(fn.LOWER(Customer.name), Customer.id,
                                  name="customer_lower_name_id"))


class Staff(PasswordMixin, UserMixin, BaseModel):
    ADMIN = "admin"
    FIELDWORKER = "fieldworker"

    name = CharField(max_length=120)
    email = CharField(max_length=254, unique=True)
    password_hash = CharField(max_length=255, default="")
    role = CharField(max_length=20, default=FIELDWORKER)
    can_edit_booking_status = BooleanField(default=False)
    active = BooleanField(default=True)
    session_epoch = IntegerField(default=0)
    created_at = DateTimeField(default=utcnow)

    kind_key = "staff"

    @property
    def kind(self):
        return self.role

    @property
    def is_active(self):
        return self.active

    @property
    def is_admin(self):
        return self.role == self.ADMIN


def email_in_use(email, except_customer=None):
    """Does an account other than `except_customer` log in with this address (any case)?
    Staff and customers share one login form, so an address may belong to one account only."""
    email = email.lower()
    customers = Customer.select(Customer.id).where(fn.LOWER(Customer.email) == email)
    if except_customer is not None:
        customers = customers.where(Customer.id != except_customer)
    return (customers.exists()
            or Staff.select(Staff.id).where(fn.LOWER(Staff.email) == email).exists())


def authenticate(email, password):
    """Return the staff member or customer with these credentials, or None."""
    email = (email or "").strip().lower()
    person = Staff.get_or_none(Staff.email == email)
    if person is None:
        person = Customer.get_or_none(Customer.email == email)
    # Hash the password whether or not there is an account (or a password yet) to check it
    # against: the time a login takes must not tell which addresses have accounts.
    stored = person.password_hash if person is not None and person.password_hash else None
    matches = check_password_hash(stored or _dummy_hash(), password or "")
    if stored is None or not matches or not person.is_active:
        return None
    return person
