"""What a password a customer chooses must be (contact details: portal/people/contact_details.py)."""
from flask_babel import gettext as _

from ..kernel.errors import InvalidInput

PASSWORD_MIN = 10
PASSWORD_MAX = 128


def check_new_password(password, confirm, email):
    """Return `password` if it may be used, or raise InvalidInput naming the field at fault."""
    password = password or ""
    if len(password) < PASSWORD_MIN:
        raise InvalidInput(_("Choose a password of at least %(least)s characters.",
                             least=PASSWORD_MIN), "password")
    if len(password) > PASSWORD_MAX:
        raise InvalidInput(_("Please keep the password to %(most)s characters.",
                             most=PASSWORD_MAX), "password")
    if password.strip().lower() == (email or "").strip().lower():
        raise InvalidInput(_("Don't use your email address as your password."), "password")
    if password != (confirm or ""):
        raise InvalidInput(_("The two passwords don't match. Type the same password in both "
                             "fields."), "confirm")
    return password
