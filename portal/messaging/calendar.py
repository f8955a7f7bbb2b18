"""Calendar invites (.ics) so calendar apps add, move or remove the appointment."""
from flask import current_app

from ..kernel.clock import utcnow
from .mime import envelope_address


def _stamp(dt):
    """A naive UTC datetime as an iCalendar UTC DATE-TIME (20261126T120000Z)."""
    return dt.strftime("%Y%m%dT%H%M%SZ")


def _text(value):
    """A TEXT value escaped as RFC 5545 3.3.11 asks: backslash, semicolon, comma, newline."""
    return (str(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _param(value):
    """A parameter value, always quoted (a name may hold ; : or ,); a double quote can't be
    inside one (RFC 5545 3.1), so it becomes a single quote, and line breaks a space."""
    return '"' + " ".join(str(value).replace('"', "'").split()) + '"'


def _fold(line):
    """Lines of at most 75 octets, continued with a leading space, never splitting a UTF-8
    character (RFC 5545 3.1)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    pieces, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # inside a character: back off
            end -= 1
        pieces.append(data[start:end].decode("utf-8"))
        start, limit = end, 74
    return "\r\n ".join(pieces)


def organizer_address(settings):
    """Who the event is from: the business's contact email, or (without one) the address its
    emails are sent from, which is where a calendar app's reply would go anyway."""
    if settings.contact_email:
        return settings.contact_email
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or ""
    if isinstance(sender, tuple):
        sender = sender[1]
    return envelope_address(sender) if sender else "bookings@rebook.invalid"


def booking_ics(booking, service, settings, method, customer=None):
    """METHOD:REQUEST adds or updates, METHOD:CANCEL removes; one UID per booking and the
    booking's version as SEQUENCE, so a later message always wins. The business is the
    ORGANIZER (RFC 5546 asks for one in both methods; without it some calendar apps refuse the
    invite or show it as from nobody); the customer, when given, the one ATTENDEE, already
    accepted, so no app offers them an RSVP the business would never read."""
    # Written out by hand: the icalendar package took about 0.6 ms an invite, more than
    # the two templates; tests/web read every invite back with icalendar's parser.
    lines = ["BEGIN:VCALENDAR", "PRODID:-//Rebook//Customer portal//EN", "VERSION:2.0",
             f"METHOD:{method}", "BEGIN:VEVENT",
             f"SUMMARY:{_text(f'{service.name} · {settings.business_name}')}",
             f"DTSTART:{_stamp(booking.starts_at)}", f"DTEND:{_stamp(booking.ends_at)}",
             f"DTSTAMP:{_stamp(utcnow())}", f"UID:{_text(f'{booking.ref}@rebook')}",
             f"SEQUENCE:{int(booking.version)}",
             f"ORGANIZER;CN={_param(settings.business_name)}:"
             f"mailto:{organizer_address(settings)}"]
    if customer is not None:
        lines.append(f"ATTENDEE;CN={_param(customer.name)};PARTSTAT=ACCEPTED;"
                     f"ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:{customer.email}")
    if booking.address:
        lines.append(f"LOCATION:{_text(booking.address)}")
    lines += [f"STATUS:{'CANCELLED' if method == 'CANCEL' else 'CONFIRMED'}", "END:VEVENT",
              "END:VCALENDAR"]
    # _fold(line) only for a line that may need it: most are short ASCII, at most 75 octets
    # as they are (a call per line was a fifth of writing an invite)
    return "\r\n".join([line if len(line) <= 75 and line.isascii() else _fold(line)
                         for line in lines]) + "\r\n"
