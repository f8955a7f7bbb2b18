"""The .ics written by hand (portal/messaging/calendar.py) reads back, through the icalendar
package, as what was meant: escaped text, quoted names, lines folded at 75 octets without
splitting a character, the business as ORGANIZER."""
from datetime import datetime
from types import SimpleNamespace

from icalendar import Calendar

from portal.messaging.calendar import booking_ics


def invite(method="REQUEST", **changes):
    booking = SimpleNamespace(ref="BK-ABC123", version=3, starts_at=datetime(2026, 12, 7, 14),
                              ends_at=datetime(2026, 12, 7, 16),
                              address="Flat 2, 10 Main St; back door\nring twice")
    settings = SimpleNamespace(business_name='Ménage "Élodie"; Nettoyage, Ltd',
                               contact_email="hello@menage.example")
    customer = SimpleNamespace(name="Zoë O'Brien, Jr", email="zoe@example.com")
    service = SimpleNamespace(name="Grand ménage " + "très " * 12)
    for name, value in changes.items():
        setattr(booking, name, value)
    text = booking_ics(booking, service, settings, method, customer)
    [event] = Calendar.from_ical(text).walk("VEVENT")
    return text, Calendar.from_ical(text), event


def test_values_read_back_as_written():
    text, cal, event = invite()
    assert str(cal["METHOD"]) == "REQUEST" and str(event["STATUS"]) == "CONFIRMED"
    assert str(event["UID"]) == "BK-ABC123@rebook" and int(event["SEQUENCE"]) == 3
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime(2026, 12, 7, 14)
    assert event.decoded("DTSTART").utcoffset().total_seconds() == 0
    assert str(event["LOCATION"]) == "Flat 2, 10 Main St; back door\nring twice"
    assert str(event["SUMMARY"]).startswith("Grand ménage très") and \
        str(event["SUMMARY"]).endswith("· Ménage \"Élodie\"; Nettoyage, Ltd")
    assert str(event["ORGANIZER"]) == "mailto:hello@menage.example"
    assert event["ORGANIZER"].params["CN"] == "Ménage 'Élodie'; Nettoyage, Ltd"
    assert str(event["ATTENDEE"]) == "mailto:zoe@example.com"
    assert event["ATTENDEE"].params["CN"] == "Zoë O'Brien, Jr"


def test_lines_are_folded_at_75_octets_and_end_in_crlf():
    text, _, _ = invite()
    assert text.endswith("END:VCALENDAR\r\n") and "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert any(line.startswith(" ") for line in lines)  # the long summary was folded
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)


def test_a_cancel_says_so():
    _, cal, event = invite("CANCEL")
    assert str(cal["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
