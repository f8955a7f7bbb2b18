"""Customers and staff: who can log in, their roles and permissions."""
from datetime import datetime, timezone

from flask_login import UserMixin
from peewee import BooleanField, CharField, DateTimeField, IntegerField, TextField, fn
from werkzeug.security import check_password_hash, generate_password_hash

from .db import BaseModel


def utcnow():
    """Naive UTC, the form every timestamp is stored in."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class PasswordMixin:
    """Passwords, and the session epoch: bumping it ends every session made before."""

    def get_id(self):
        # Flask-Login stores this in the session; load_user refuses a stale epoch.
        return f"{self.kind_key}:{self.id}:{self.session_epoch}"

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

    kind = "customer"
    kind_key = "customer"


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


def load_user(user_id):
    """Flask-Login's loader: ids are 'customer:N:EPOCH' or 'staff:N:EPOCH'; a session from an
    older epoch (before a deactivation or password change) is no longer valid."""
    kind, _, rest = (user_id or "").partition(":")
    raw, _, epoch = rest.partition(":")
    model = {"customer": Customer, "staff": Staff}.get(kind)
    if model is None or not raw.isdigit() or not epoch.isdigit():
        return None
    return model.get_or_none((model.id == int(raw)) & (model.session_epoch == int(epoch)))


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
    for model in (Staff, Customer):
        person = model.get_or_none(model.email == email)
        if person is not None:
            return person if person.check_password(password) and person.is_active else None
    return None
