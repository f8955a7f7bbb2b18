"""Settings > Business: the business's name, how customers reach it, its timezone and currency.

The contact phone and email appear in every customer email's footer and in the messages that
send customers elsewhere (a blocked cancellation, online booking switched off). Saved with one
audit event, like the other settings pages.
"""
from functools import lru_cache
from zoneinfo import available_timezones

from ..kernel.errors import InvalidInput
from ..people.contact_details import clean_email, clean_name, clean_phone
from .portal import save_settings

FIELDS = ("business_name", "contact_phone", "contact_email", "timezone", "currency")
# ISO 4217 codes with two decimal places: amounts are kept in hundredths everywhere, so a
# currency without cents (JPY, KRW) or with three (KWD) would be shown wrongly.
CURRENCIES = {
    "AUD": "Australian dollar", "BRL": "Brazilian real", "CAD": "Canadian dollar",
    "CHF": "Swiss franc", "CNY": "Chinese yuan", "CZK": "Czech koruna", "DKK": "Danish krone",
    "EUR": "Euro", "GBP": "Pound sterling", "HKD": "Hong Kong dollar",
    "ILS": "Israeli new shekel", "INR": "Indian rupee", "MXN": "Mexican peso",
    "MYR": "Malaysian ringgit", "NOK": "Norwegian krone", "NZD": "New Zealand dollar",
    "PHP": "Philippine peso", "PLN": "Polish zloty", "SEK": "Swedish krona",
    "SGD": "Singapore dollar", "THB": "Thai baht", "USD": "US dollar",
    "ZAR": "South African rand", "AED": "UAE dirham",
}


@lru_cache(maxsize=1)
def timezones():
    """IANA zone names people choose from: 'Region/City' ones and UTC, sorted."""
    return tuple(sorted(z for z in available_timezones()
                        if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/",
                                                          "right/")))) + ("UTC",)


@lru_cache(maxsize=1)
def _all_zones():
    return frozenset(available_timezones())


def clean(fields):
    """The form's values checked; InvalidInput's code names the field at fault."""
    values = {"business_name": clean_name(fields.get("business_name"), "business_name",
                                          "the business's name"),
              "contact_phone": clean_phone(fields.get("contact_phone"), "contact_phone"),
              "contact_email": clean_email(fields.get("contact_email"), "contact_email",
                                           required=False)}
    zone = (fields.get("timezone") or "").strip()
    if zone not in _all_zones():  # the list offers the usual ones; any real zone is fine
        raise InvalidInput("Choose a timezone from the list, such as America/New_York.",
                           "timezone")
    currency = (fields.get("currency") or "").strip().upper()
    if currency not in CURRENCIES:
        raise InvalidInput("Choose a currency from the list.", "currency")
    if not values["contact_phone"] and not values["contact_email"]:
        raise InvalidInput("Give customers a way to reach you: a phone number, an email "
                           "address or both.", "contact_phone")
    return dict(values, timezone=zone, currency=currency)


def update_business_profile(fields, actor):
    """Save the Business page; returns the names of the fields that changed."""
    return save_settings(FIELDS, clean(fields), actor, "business_profile_changed")
