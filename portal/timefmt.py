"""Times are stored as naive UTC and shown in the business timezone."""
from datetime import timezone
from zoneinfo import ZoneInfo


def to_local(dt, tz):
    return dt.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz))


def when(dt, tz):
    """'Tue 24 Nov 2026, 9:00 AM EST'"""
    if dt is None:
        return ""
    local = to_local(dt, tz)
    return local.strftime("%a %-d %b %Y, %-I:%M %p %Z")


def money(minor, currency="USD"):
    symbol = {"USD": "$", "GBP": "£", "EUR": "€", "AUD": "A$", "CAD": "C$"}.get(currency, "")
    sign = "-" if minor < 0 else ""
    value = f"{abs(minor) // 100:,}.{abs(minor) % 100:02d}"
    return f"{sign}{symbol}{value}" if symbol else f"{sign}{value} {currency}"
