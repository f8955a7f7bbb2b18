"""Calendar invites (.ics) so calendar apps add, move or remove the appointment."""
from datetime import timezone

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText

from ..kernel.clock import utcnow
from .mime import envelope_address


def _aware(dt):
    return dt.replace(tzinfo=timezone.utc)


def organizer_address(settings):
    """Who the event is from: the business's contact email, or (without one) the address its
    emails are sent from, which is where a calendar app's reply would go anyway."""
    if settings.contact_email:
        return settings.contact_email
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or ""
    if isinstance(sender, tuple):
        sender = sender[1]
    return envelope_address(sender) if sender else "bookings@rebook.invalid"


def _person(address, name, **params):
    person = vCalAddress(f"mailto:{address}")
    person.params["cn"] = vText(name)
    person.params.update(params)
    return person


def booking_ics(booking, service, settings, method, customer=None):
    """METHOD:REQUEST adds or updates, METHOD:CANCEL removes; one UID per booking and the
    booking's version as SEQUENCE, so a later message always wins. The business is the
    ORGANIZER (RFC 5546 asks for one in both methods; without it some calendar apps refuse the
    invite or show it as from nobody); the customer, when given, the one ATTENDEE, already
    accepted, so no app offers them an RSVP the business would never read."""
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
    event.add("organizer", _person(organizer_address(settings), settings.business_name))
    if customer is not None:
        event.add("attendee", _person(customer.email, customer.name, role="REQ-PARTICIPANT",
                                      partstat="ACCEPTED", rsvp="FALSE"))
    if booking.address:
        event.add("location", booking.address)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical().decode()
