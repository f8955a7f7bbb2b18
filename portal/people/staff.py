"""Admin > Staff: adding fieldworkers, switching accounts on and off, the status permission.

Every change is one write transaction with its audit event. Nobody is deleted: a deactivated
account can't log in, but its bookings, notices and history stay.
"""
import re
import unicodedata

from peewee import IntegrityError

from .. import audit
from ..accounts.password_rules import check_new_password
from ..kernel.db import locked, write_transaction
from ..kernel.errors import Conflict, InvalidInput, NotFound
from . import Staff, email_in_use
from .contact_details import clean_email, clean_name

NAME_MAX = 120
EMAIL_MAX = 254
PASSWORD_MIN = 10
PASSWORD_MAX = 200
# Deliberately loose: one @, a dot in the domain, no spaces. Whether the address works is
# something only the person receiving mail there can prove.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def listed():
    """Everyone on staff: active first, then by name."""
    return Staff.select().order_by(Staff.active.desc(), Staff.name, Staff.id)


def get(staff_id):
    person = Staff.get_or_none(Staff.id == staff_id)
    if person is None:
        raise NotFound("We couldn't find that staff member. Reload the page.")
    return person


def _locked(staff_id):
    person = locked(Staff.select().where(Staff.id == staff_id)).get_or_none()
    if person is None:
        raise NotFound("We couldn't find that staff member. Reload the page.")
    return person


def _clean(name, email, password):
    """Raise InvalidInput (its code names the field) or return (name, email)."""
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput("Enter the fieldworker's name.", "name")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"Please keep the name to {NAME_MAX} characters.", "name")
    email = (email or "").strip().lower()
    if len(email) > EMAIL_MAX or not EMAIL_RE.match(email):
        raise InvalidInput("Enter an email address like name@example.com.", "email")
    if not PASSWORD_MIN <= len(password or "") <= PASSWORD_MAX:
        raise InvalidInput(f"The password needs {PASSWORD_MIN} to {PASSWORD_MAX} characters.",
                           "password")
    return name, email


def add_fieldworker(name, email, password, can_edit_booking_status, actor):
    """Create an active fieldworker who logs in with `password`; returns the Staff row."""
    name, email = _clean(name, email, password)
    taken = InvalidInput(f"{email} already belongs to an account. Use another address.", "email")
    try:
        with write_transaction():
            if email_in_use(email):
                raise taken
            person = Staff(name=name, email=email, role=Staff.FIELDWORKER,
                           can_edit_booking_status=bool(can_edit_booking_status), active=True)
            person.set_password(password)
            person.save()
            audit.record("staff", person.id, "staff_added", actor, "admin", after={
                "name": name, "email": email, "role": person.role,
                "can_edit_booking_status": person.can_edit_booking_status})
    except IntegrityError:  # another admin added the same address a moment ago
        raise taken from None
    return person


def set_active(staff_id, active, actor):
    """Activate or deactivate an account; returns the Staff row as it now is."""
    with write_transaction():
        person = _locked(staff_id)
        if person.active == active:
            return person
        if not active:
            _check_may_deactivate(person, actor)
        # Deactivating ends their sessions for good: reactivation must not revive them.
        epoch = Staff.session_epoch + (0 if active else 1)
        Staff.update(active=active, session_epoch=epoch).where(Staff.id == person.id).execute()
        audit.record("staff", person.id, "staff_activated" if active else "staff_deactivated",
                     actor, "admin", before={"active": person.active}, after={"active": active})
        person.active = active
    return person


def _check_may_deactivate(person, actor):
    if actor.is_staff and actor.id == person.id:
        raise InvalidInput("You can't deactivate your own account. Ask another admin.", "self")
    if person.is_admin:
        # Locking every active admin row stops two admins deactivating each other at once.
        admins = list(locked(Staff.select(Staff.id).where(
            (Staff.role == Staff.ADMIN) & Staff.active)))
        if len(admins) <= 1:
            raise Conflict("This is the last active admin. Add or activate another admin first.",
                           "last_admin")


def set_can_edit_booking_status(staff_id, allowed, actor):
    """Allow or stop a fieldworker cancelling (changing the status of) their own jobs."""
    with write_transaction():
        person = _locked(staff_id)
        if person.is_admin:
            raise InvalidInput("Admins can always change booking status.", "admin")
        if person.can_edit_booking_status == allowed:
            return person
        Staff.update(can_edit_booking_status=allowed).where(Staff.id == person.id).execute()
        audit.record("staff", person.id, "staff_permission_changed", actor, "admin",
                     before={"can_edit_booking_status": person.can_edit_booking_status},
                     after={"can_edit_booking_status": allowed})
        person.can_edit_booking_status = allowed
    return person


def check_printable(value, field):
    """Refuse control characters (NUL, escape codes) that tidying spaces leaves behind: they
    can't be typed, show as nothing, and PostgreSQL refuses NUL outright."""
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise InvalidInput("This can't contain control characters (invisible codes such as NUL "
                           "or escape). Retype it by hand.", field)
    return value


def add_admin(name, email, password, confirm, actor, channel="system") -> Staff:
    """Create an active admin (first-run setup, `flask create-admin`); returns the Staff row.

    The password follows the customers' rules (portal/accounts/password_rules.py), so no admin
    ever logs in with a short or demo password. Joins the caller's transaction when there is one
    (setup creates the admin and the business in one)."""
    name = check_printable(clean_name(name, "name", "your name"), "name")
    email = check_printable(clean_email(email, "email"), "email")
    check_new_password(password, confirm, email)
    taken = InvalidInput(f"{email} already belongs to an account. Use another address.", "email")
    try:
        with write_transaction():
            if email_in_use(email):
                raise taken
            person = Staff(name=name, email=email, role=Staff.ADMIN, can_edit_booking_status=True,
                           active=True)
            person.set_password(password)
            person.save()
            audit.record("staff", person.id, "staff_added", actor, channel, after={
                "name": name, "email": email, "role": person.role,
                "can_edit_booking_status": True})
    except IntegrityError:  # the same address was added a moment ago
        raise taken from None
    return person
