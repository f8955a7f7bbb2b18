"""Customers and staff: who can log in, their roles and permissions."""
from datetime import datetime, timezone

from flask_login import UserMixin
from peewee import BooleanField, CharField, DateTimeField, TextField
from werkzeug.security import check_password_hash, generate_password_hash

from .db import BaseModel


def utcnow():
    """Naive UTC, the form every timestamp is stored in."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class PasswordMixin:
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
    created_at = DateTimeField(default=utcnow)

    kind = "customer"

    def get_id(self):
        return f"customer:{self.id}"


class Staff(PasswordMixin, UserMixin, BaseModel):
    ADMIN = "admin"
    FIELDWORKER = "fieldworker"

    name = CharField(max_length=120)
    email = CharField(max_length=254, unique=True)
    password_hash = CharField(max_length=255, default="")
    role = CharField(max_length=20, default=FIELDWORKER)
    can_edit_booking_status = BooleanField(default=False)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    @property
    def kind(self):
        return self.role

    @property
    def is_active(self):
        return self.active

    @property
    def is_admin(self):
        return self.role == self.ADMIN

    def get_id(self):
        return f"staff:{self.id}"


def load_user(user_id):
    """Flask-Login's loader: ids are 'customer:N' or 'staff:N'."""
    kind, _, raw = (user_id or "").partition(":")
    if not raw.isdigit():
        return None
    model = {"customer": Customer, "staff": Staff}.get(kind)
    return model.get_or_none(model.id == int(raw)) if model else None


def authenticate(email, password):
    """Return the staff member or customer with these credentials, or None."""
    email = (email or "").strip().lower()
    for model in (Staff, Customer):
        person = model.get_or_none(model.email == email)
        if person is not None:
            return person if person.check_password(password) and person.is_active else None
    return None
