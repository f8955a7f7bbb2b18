"""What a password a customer chooses must be (contact details: portal/people/contact_details.py)."""
from ..kernel.errors import InvalidInput

PASSWORD_MIN = 10
PASSWORD_MAX = 128


def check_new_password(password, confirm, email):
    """Return `password` if it may be used, or raise InvalidInput naming the field at fault."""
    password = password or ""
    if len(password) < PASSWORD_MIN:
        raise InvalidInput(f"Choose a password of at least {PASSWORD_MIN} characters.",
                           "password")
    if len(password) > PASSWORD_MAX:
        raise InvalidInput(f"Please keep the password to {PASSWORD_MAX} characters.", "password")
    if password.strip().lower() == (email or "").strip().lower():
        raise InvalidInput("Don't use your email address as your password.", "password")
    if password != (confirm or ""):
        raise InvalidInput("The two passwords don't match. Type the same password in both "
                           "fields.", "confirm")
    return password
