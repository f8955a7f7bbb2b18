"""Times are stored as naive UTC and shown in the business timezone."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo


def to_local(dt, tz):
    return dt.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz))


def when(dt, tz):
    """'Tue 24 Nov 2026, 9:00 AM EST'; also takes the ISO text audit events store."""
    if dt is None or dt == "":
        return ""
    if isinstance(dt, str):
        dt = datetime.fromisoformat(dt)
    local = to_local(dt, tz)
    return local.strftime("%a %-d %b %Y, %-I:%M %p %Z")


def local_time(dt, tz, zone=False):
    """'9:30 AM' in the business timezone ('1:30 AM EDT' with zone, for DST changeover days)."""
    return to_local(dt, tz).strftime("%-I:%M %p %Z" if zone else "%-I:%M %p")


def zone_name(tz):
    """A timezone as people say it: 'America/New_York' -> 'New York time'; 'UTC' as is."""
    if tz in ("UTC", "Etc/UTC", "GMT", "Etc/GMT"):
        return "UTC"
    return tz.rsplit("/", 1)[-1].replace("_", " ") + " time"


def mixed_offsets(datetimes, tz):
    """Do these times fall on both sides of a daylight-saving change (so '1:30 AM' repeats)?"""
    return len({to_local(dt, tz).utcoffset() for dt in datetimes}) > 1


def when_range(start, end, tz):
    """'Wed 25 Nov 2026, 9:00 AM EST – 11:00 AM EST': the date once when both are that day."""
    if to_local(start, tz).date() == to_local(end, tz).date():
        return f"{when(start, tz)} – {to_local(end, tz).strftime('%-I:%M %p %Z')}"
    return f"{when(start, tz)} – {when(end, tz)}"


SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€", "AUD": "A$", "CAD": "C$"}


def currency_symbol(currency):
    """'$' for USD; the code itself where we know no symbol."""
    return SYMBOLS.get(currency, currency)


def money(minor, currency="USD"):
    symbol = SYMBOLS.get(currency, "")
    sign = "-" if minor < 0 else ""
    value = f"{abs(minor) // 100:,}.{abs(minor) % 100:02d}"
    return f"{sign}{symbol}{value}" if symbol else f"{sign}{value} {currency}"


def percent(value):
    """0.4 -> '40%', 0.333 -> '33.3%'; None (nothing to divide by) -> '–'."""
    if value is None:
        return "–"
    return f"{value * 100:.1f}".removesuffix(".0") + "%"
