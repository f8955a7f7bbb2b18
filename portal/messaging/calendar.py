"""Calendar invites (.ics) so calendar apps add, move or remove the appointment."""
from datetime import timezone

from icalendar import Calendar, Event

from ..kernel.clock import utcnow


def _aware(dt):
    return dt.replace(tzinfo=timezone.utc)


def booking_ics(booking, service, settings, method):
    """METHOD:REQUEST adds or updates, METHOD:CANCEL removes; one UID per booking and the
    booking's version as SEQUENCE, so a later message always wins."""
    cal = Calendar()
    cal.add("prodid", "-//Rebook//Customer portal//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", f"{booking.ref}@rebook")
    event.add("sequence", booking.version)
    event.add("dtstamp", _aware(utcnow()))
    event.add("dtstart", _aware(booking.starts_at))
    event.add("dtend", _aware(booking.ends_at))
    event.add("summary", f"{service.name} · {settings.business_name}")
    if booking.address:
        event.add("location", booking.address)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical().decode()
