"""First-run setup: a production database starts with no staff and no business details.

Setup names the business, picks its timezone and currency, and makes the first admin, in one
transaction that runs only while there are no staff at all. From the command line
(`flask setup`) or the browser (/setup, which every page leads to until it is done); once an
admin exists it can never run again, and two people sending the form at once get one winner.
"""
from functools import lru_cache
from zoneinfo import available_timezones

from .. import audit
from ..accounts.password_rules import check_new_password
from ..kernel.actors import Actor
from ..kernel.db import database, is_postgres, write_transaction
from ..kernel.errors import Conflict, InvalidInput
from ..people import staff
from ..people import Staff, email_in_use
from ..people.contact_details import clean_email, clean_name
from ..settings import Settings
from ..settings.business import CURRENCIES

FIELDS = ("business_name", "timezone", "currency", "name", "email", "password", "confirm")
BUSINESS_FIELDS = ("business_name", "timezone", "currency")
BROWSER = Actor("system", None, "First-run setup (browser)")
COMMAND_LINE = Actor("system", None, "First-run setup (command line)")


class InvalidSetup(InvalidInput):
    """Every field at fault at once (`errors`: field -> message), so a form shows them all."""

    def __init__(self, errors: dict[str, str]):
        field, message = next(iter(errors.items()))
        super().__init__(message, field)
        self.errors = errors


class AlreadySetUp(Conflict):
    def __init__(self):
        super().__init__("Rebook is already set up: an admin account exists. Log in with it, "
                         "or ask that admin to add you under Settings › Staff.", "set_up")


def needs_setup() -> bool:
    """True while nobody can log in to run the business: there are no staff at all."""
    return not Staff.select(Staff.id).exists()


@lru_cache(maxsize=1)
def _zones():
    return frozenset(available_timezones())


def clean(fields: dict) -> dict:
    """The form's values tidied, or InvalidSetup naming every field at fault."""
    errors, values = {}, {}

    def take(name, check):
        try:
            values[name] = check(fields.get(name))
        except InvalidInput as exc:
            errors.setdefault(exc.code if exc.code in FIELDS else name, exc.message)

    take("business_name", lambda raw: staff.check_printable(
        clean_name(raw, "business_name", "the business's name"), "business_name"))
    take("timezone", _timezone)
    take("currency", _currency)
    take("name", lambda raw: staff.check_printable(clean_name(raw, "name", "your name"), "name"))
    take("email", _email)
    take("password", lambda raw: check_new_password(raw, fields.get("confirm"),
                                                    values.get("email", "")))
    if errors:
        raise InvalidSetup(errors)
    return dict(values, confirm=fields.get("confirm"))


def _email(raw):
    email = staff.check_printable(clean_email(raw, "email"), "email")
    if email_in_use(email):  # a customer may already have it: one address, one account
        raise InvalidInput(f"{email} already belongs to an account. Use another address.",
                           "email")
    return email


def _timezone(raw):
    zone = (raw or "").strip()
    if zone not in _zones():
        raise InvalidInput("Choose a timezone from the list, such as Europe/London or "
                           "America/New_York.", "timezone")
    return zone


def _currency(raw):
    code = (raw or "").strip().upper()
    if code not in CURRENCIES:
        raise InvalidInput("Choose a currency from the list, as a three-letter code such as "
                           f"USD or EUR (supported: {', '.join(sorted(CURRENCIES))}).",
                           "currency")
    return code


def run_setup(fields: dict, actor: Actor = BROWSER) -> Staff:
    """Save the business details and make the first admin; returns the admin.

    Raises InvalidSetup (nothing saved) or AlreadySetUp when staff exist, including when
    someone else's setup committed while this one waited for the lock."""
    values = clean(fields)
    with write_transaction():
        _serialise_setups()
        if not needs_setup():
            raise AlreadySetUp()
        settings = Settings.current()
        before = {name: getattr(settings, name) for name in BUSINESS_FIELDS}
        after = {name: values[name] for name in BUSINESS_FIELDS}
        Settings.update(**after).where(Settings.id == settings.id).execute()
        audit.record("settings", settings.id, "business_set_up", actor, "system",
                     before=before, after=after)
        try:
            admin = staff.add_admin(values["name"], values["email"], values["password"],
                                    values["confirm"], actor, "system")
        except InvalidInput as exc:  # the address was taken after clean() looked
            raise InvalidSetup({exc.code: exc.message}) from None
    return admin


def _serialise_setups():
    """Make a second setup wait for the first to commit, so its "no staff yet?" sees the
    answer. SQLite's BEGIN IMMEDIATE already does; on PostgreSQL two transactions would both
    find no staff and both insert, so take a lock on the staff table that conflicts with
    itself and with inserts (reads go on)."""
    if is_postgres():
        database.execute_sql("LOCK TABLE staff IN SHARE ROW EXCLUSIVE MODE")
