"""How names, email addresses, phone numbers and postal addresses are checked and tidied.

One set of rules for customers (added by staff or editing their own details) and for the
business's own contact details. Each cleaner returns the tidy value or raises InvalidInput
whose code names the field, so a form can put the message next to it.
"""
import re

from ..kernel.errors import InvalidInput

NAME_MAX = 120
EMAIL_MAX = 254
PHONE_MAX = 40
ADDRESS_MAX = 500
PHONE_DIGITS_MIN, PHONE_DIGITS_MAX = 7, 20
# One @, no spaces, a domain of dot-separated labels ending in letters. Deliberately loose
# beyond that: only the person reading mail there can prove an address works.
EMAIL_RE = re.compile(r"^[^@\s]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$")
# Digits with the usual separators; a plus only in front (+44 20 7946 0000).
PHONE_RE = re.compile(r"^\+?[0-9 ()./-]+$")
PHONE_PUNCTUATION = " ()./-+"


def clean_name(raw, field="name", what="the name"):
    name = " ".join((raw or "").split())
    if not name:
        raise InvalidInput(f"Enter {what}.", field)
    if len(name) > NAME_MAX:
        raise InvalidInput(f"Please keep {what} to {NAME_MAX} characters.", field)
    return name


def clean_email(raw, field="email", required=True):
    """Lower-cased: people type their address in any case, and it is one address."""
    email = (raw or "").strip().lower()
    if not email and not required:
        return ""
    if len(email) > EMAIL_MAX or not EMAIL_RE.match(email):
        raise InvalidInput("Enter an email address like name@example.com.", field)
    return email


def clean_phone(raw, field="phone", required=False):
    """'(555) 010-4477', '+44 20 7946 0000': kept as typed (spaces tidied), checked for shape."""
    phone = " ".join((raw or "").split())
    if not phone:
        if required:
            raise InvalidInput("Enter a phone number.", field)
        return ""
    digits = sum(ch.isdigit() for ch in phone)
    if len(phone) > PHONE_MAX or not PHONE_RE.match(phone) \
            or not PHONE_DIGITS_MIN <= digits <= PHONE_DIGITS_MAX:
        raise InvalidInput(f"Enter a phone number of {PHONE_DIGITS_MIN} to {PHONE_DIGITS_MAX} "
                           "digits; spaces, dashes, brackets and a leading + are fine.", field)
    return phone


def clean_address(raw, field="address"):
    """Lines kept (they are how an address reads), blank lines and stray spaces dropped."""
    lines = [" ".join(line.split()) for line in (raw or "").splitlines()]
    address = "\n".join(line for line in lines if line)
    if len(address) > ADDRESS_MAX:
        raise InvalidInput(f"Please keep the address to {ADDRESS_MAX} characters.", field)
    return address


def phone_digits(text):
    """The digits a phone search compares ('(555) 010' -> '555010')."""
    return "".join(ch for ch in text if ch.isdigit())


def looks_like_phone(text):
    return bool(text) and all(ch.isdigit() or ch in PHONE_PUNCTUATION for ch in text) \
        and any(ch.isdigit() for ch in text)
