"""What any input may be, in one place: ids, years, text and body sizes.

Beyond these, values break the machinery rather than a rule: ids past a 32-bit integer make
PostgreSQL refuse the statement (SQLite overflows past 2**63), years at the calendar's edges
overflow in timedelta and timezone arithmetic, and PostgreSQL refuses a NUL in text.
"""
from datetime import date, datetime

# Ids are 32-bit columns (SERIAL / INTEGER) on both databases.
MAX_ID = 2**31 - 1
# Any date or time a person types or a URL carries; far beyond any real booking or report.
MIN_YEAR, MAX_YEAR = 1900, 9000
# One form field or query parameter; fields with a smaller limit say so themselves.
FIELD_MAX = 10_000
# A note on a change (why it was cancelled, a refund decision): the cancel_note and
# decision_note columns are VARCHAR(255), and every form, API field and service checks this.
NOTE_MAX = 255
# A whole request body (forms are a few KB; the JSON API has its own, smaller limit).
BODY_MAX = 1024 * 1024


def is_id(raw) -> bool:
    """True for an id as text (ASCII digits) or int within 1..MAX_ID."""
    if isinstance(raw, bool):
        return False
    if isinstance(raw, str):
        raw = raw.strip()
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 10):
            return False
        raw = int(raw)
    return isinstance(raw, int) and 1 <= raw <= MAX_ID


def year_ok(value: date | datetime | None) -> bool:
    """True when a date or datetime is within MIN_YEAR..MAX_YEAR (None passes: not given)."""
    return value is None or MIN_YEAR <= value.year <= MAX_YEAR


YEARS_MESSAGE = f"Enter a date between the years {MIN_YEAR} and {MAX_YEAR}."
