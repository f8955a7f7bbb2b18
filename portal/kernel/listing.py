"""Lists people page through: paging, counting only as far as a page needs, and reading the
dates, ids, page numbers and searches of a list's URL (a bad value becomes a note on the page,
never an error)."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .input_limits import MAX_ID, MAX_YEAR, MIN_YEAR, year_ok

PAGE_SIZE = 25
MAX_SEARCH = 100
# A list counts its matches at most this far past the page's first row, so the count costs the
# same with 100 or 100,000 rows; beyond it the page says "1,000+" and offers the next page.
COUNT_AHEAD = 1000


def shown(raw):
    """User input quoted back in a message, cut short so a huge value cannot flood the page."""
    return raw if len(raw) <= 40 else raw[:40] + "…"


def _utc_midnight(day, tz):
    """Midnight at the start of `day` in the business timezone, as naive UTC."""
    local = datetime.combine(day, time.min, tzinfo=ZoneInfo(tz))
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def _parse_date(raw, which, tz, notes):
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        notes.append(f"“{shown(raw)}” is not a date; showing all dates {which}.")
        return None
    if not year_ok(day):  # years at the calendar's edges overflow in timezone arithmetic
        notes.append(f"“{shown(raw)}” is not a date in the years {MIN_YEAR} to {MAX_YEAR}; "
                     f"showing all dates {which}.")
        return None
    return day


def parse_id(raw, label, notes):
    raw = (raw or "").strip()
    if not raw:
        return None
    if raw.isascii() and raw.isdigit() and len(raw) <= 10 and 0 < int(raw) <= MAX_ID:
        return int(raw)
    notes.append(f"“{shown(raw)}” is not a {label}; showing every {label}.")
    return None


def parse_page(raw, notes):
    raw = (raw or "").strip()
    if not raw:
        return 1
    if raw.isascii() and raw.isdigit() and len(raw) <= 9 and int(raw) >= 1:
        return int(raw)
    notes.append(f"“{shown(raw)}” is not a page number; showing page 1.")
    return 1


def parse_date_range(args, tz, notes):
    """The `from`/`to` days of a list's URL (business timezone), swapped when reversed."""
    date_from = _parse_date(args.get("from"), "from the start", tz, notes)
    date_to = _parse_date(args.get("to"), "to the end", tz, notes)
    if date_from and date_to and date_from > date_to:
        notes.append("The “from” date was after the “to” date, so they are swapped.")
        date_from, date_to = date_to, date_from
    return date_from, date_to


def parse_search(args, notes):
    """The `q` of a list's URL, trimmed and cut to MAX_SEARCH characters."""
    q = (args.get("q") or "").strip()
    if len(q) > MAX_SEARCH:
        notes.append(f"Searches are limited to {MAX_SEARCH} characters; "
                     f"searched for the first {MAX_SEARCH}.")
        q = q[:MAX_SEARCH].strip()
    return q


def day_terms(column, date_from, date_to, tz):
    """WHERE terms keeping `column` (naive UTC) within those business-timezone days."""
    terms = []
    if date_from:
        terms.append(column >= _utc_midnight(date_from, tz))
    if date_to:
        terms.append(column < _utc_midnight(date_to + timedelta(days=1), tz))
    return terms


@dataclass(frozen=True)
class Page:
    rows: list  # (booking with customer and service, [fieldworker names])
    total: int
    page: int
    pages: int
    notes: tuple = ()
    more: bool = False  # total is a floor: more rows match than were counted

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def first(self):
        return (self.page - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last(self):
        return min(self.page * PAGE_SIZE, self.total)

    def numbers(self, around=2):
        """Page numbers to link: the ends and a window around this page, None for a gap."""
        keep = {1, *range(self.page - around, self.page + around + 1)}
        if not self.more:  # an uncounted end has no last page to link
            keep.add(self.pages)
        shown, previous = [], 0
        for number in sorted(n for n in keep if 1 <= n <= self.pages):
            if number > previous + 1:
                shown.append(None)
            shown.append(number)
            previous = number
        return shown + [None] if self.more else shown


def count_upto(query, page, per=PAGE_SIZE):
    """(total, more) for a list's page: the rows `query` matches, counted no further than
    COUNT_AHEAD past the page's first row; more=True when further rows were left uncounted."""
    cap = (page - 1) * per + COUNT_AHEAD
    found = query.limit(cap + 1).count()
    return min(found, cap), found > cap


def last_page(total, more, page, per=PAGE_SIZE):
    """(pages, page, notes): the pages known, and `page` moved to the last when past the end."""
    pages = max(1, -(-total // per))
    if page > pages and not more:
        return pages, pages, (f"There is no page {page:,}; showing page {pages:,}, the last.",)
    return pages, page, ()
