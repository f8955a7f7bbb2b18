"""Times are stored as naive UTC and shown in the business timezone, in the reader's
language: English keeps the formats it always had ('Tue 24 Nov 2026, 9:00 AM EST'); other
languages get Babel's (CLDR) formats, so German and Spanish read 24-hour times and write
amounts as they do ('1.234,56 €'). The language is the request's (flask_babel.get_locale:
web/app/locale.py), or the one an email is rendered under (force_locale in messaging/)."""
from datetime import datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask_babel import gettext as _
from jinja2 import pass_context

from . import languages
from .i18n import current_locale


def language():
    """The language being rendered ('en' outside any request, app or forced locale)."""
    locale = current_locale()
    return locale.language if locale is not None else languages.DEFAULT


def _date(local, lang):
    # 'Di., 24. Nov. 2026' / 'mar, 24 nov 2026': the locale's own order and abbreviations
    return babel_dates.format_skeleton("yMMMEd", local, locale=lang)


def _clock(local, lang, zone=False):
    text = babel_dates.format_time(local, "short", locale=lang)
    return f"{text} {local.strftime('%Z')}" if zone else text


def day_text(day, style="long"):
    """A calendar day as the reader writes it: 'Wednesday 25 November 2026' (long),
    'Wed 25 Nov' (short, no year), 'Wed' (weekday)."""
    lang = language()
    if lang == languages.DEFAULT:
        return day.strftime({"long": "%A %-d %B %Y", "short": "%a %-d %b", "weekday": "%a",
                             "day_month": "%A %-d %B"}[style])
    skeleton = {"long": "yMMMMEEEEd", "short": "MMMEd", "weekday": "EEE",
                "day_month": "MMMMEEEEd"}[style]
    return babel_dates.format_skeleton(skeleton, day, locale=lang)


def to_local(dt, tz):
    return dt.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz))


def when(dt, tz, lang=None):
    """'Tue 24 Nov 2026, 9:00 AM EST'; also takes the ISO text audit events store. `lang`:
    the language being rendered when the caller knows it (else asked for)."""
    if dt is None or dt == "":
        return ""
    if isinstance(dt, str):
        dt = datetime.fromisoformat(dt)
    return _when_local(to_local(dt, tz), language() if lang is None else lang)


def _when_local(local, lang):
    """when() of a time already in the business timezone."""
    if lang == languages.DEFAULT:
        return local.strftime("%a %-d %b %Y, %-I:%M %p %Z")
    return f"{_date(local, lang)}, {_clock(local, lang, zone=True)}"


def clock(local):
    """A time of day already in the business timezone: '9:30 AM', '09:30' in German."""
    lang = language()
    return local.strftime("%-I:%M %p") if lang == languages.DEFAULT else _clock(local, lang)


def local_time(dt, tz, zone=False):
    """'9:30 AM' in the business timezone ('1:30 AM EDT' with zone, for DST changeover days);
    '09:30' in German, '9:30' in Spanish."""
    return _local_time_local(to_local(dt, tz), language(), zone)


def _local_time_local(local, lang, zone):
    """local_time() of a time already in the business timezone."""
    if lang == languages.DEFAULT:
        return local.strftime("%-I:%M %p %Z" if zone else "%-I:%M %p")
    return _clock(local, lang, zone)


def zone_name(tz):
    """A timezone as people say it: 'America/New_York' -> 'New York time'; 'UTC' as is."""
    if tz in ("UTC", "Etc/UTC", "GMT", "Etc/GMT"):
        return "UTC"
    return _("%(city)s time", city=tz.rsplit("/", 1)[-1].replace("_", " "))


def mixed_offsets(datetimes, tz):
    """Do these times fall on both sides of a daylight-saving change (so '1:30 AM' repeats)?"""
    return len({to_local(dt, tz).utcoffset() for dt in datetimes}) > 1


def when_range(start, end, tz):
    """'Wed 25 Nov 2026, 9:00 AM EST – 11:00 AM EST': the date once when both are that day.
    (Each end turned into local time once, the language asked for once.)"""
    first, last, lang = to_local(start, tz), to_local(end, tz), language()
    if first.date() == last.date():
        return f"{_when_local(first, lang)} – {_local_time_local(last, lang, zone=True)}"
    return f"{_when_local(first, lang)} – {_when_local(last, lang)}"


SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€", "AUD": "A$", "CAD": "C$"}


def currency_symbol(currency):
    """'$' for USD; the code itself where we know no symbol."""
    return SYMBOLS.get(currency, currency)


def money(minor, currency="USD", lang=None):
    """'$1,234.56' in English (as always); '1.234,56 €' in German, '1234,56 €' in Spanish.
    `lang` as for when()."""
    if lang is None:
        lang = language()
    if lang != languages.DEFAULT:
        return babel_numbers.format_currency(Decimal(minor) / 100, currency, locale=lang)
    symbol = SYMBOLS.get(currency, "")
    sign = "-" if minor < 0 else ""
    value = f"{abs(minor) // 100:,}.{abs(minor) % 100:02d}"
    return f"{sign}{symbol}{value}" if symbol else f"{sign}{value} {currency}"


# The `when` and `money` filters, with the language a page renders in: web/app/locale.py hands
# it to each render in the request (RENDER_LANGUAGE, worked out once as the render begins)
# instead of every filter asking for the request's locale (three Python calls each, 35 a
# booking page with refunds). A render without it (an email in the worker; a macro imported
# without the context, whose module Jinja keeps from one render to the next) asks as before.
RENDER_LANGUAGE = "rebook_render_language"


@pass_context
def when_filter(context, dt, tz):
    return when(dt, tz, context.parent.get(RENDER_LANGUAGE))


@pass_context
def money_filter(context, minor, currency="USD"):
    return money(minor, currency, context.parent.get(RENDER_LANGUAGE))


def percent(value):
    """0.4 -> '40%', 0.333 -> '33.3%'; None (nothing to divide by) -> '–'."""
    if value is None:
        return "–"
    lang = language()
    if lang != languages.DEFAULT:
        return babel_numbers.format_percent(value, "#,##0.#%", locale=lang)
    return f"{value * 100:.1f}".removesuffix(".0") + "%"
