"""Emails on a phone (issue 18 item 13), as the SMTP server receives them: the business's name
as the sender, each booking action a button of its own (only the ones the policy allows),
tappable phone and email in the footer, and the business as the invite's ORGANIZER."""
import re

from icalendar import Calendar

from portal.kernel.clock import utcnow
from portal.messaging import emails
from portal.messaging.models import OutboxMessage
from portal.messaging.outbox import work_once
from portal.settings import Settings
from tests.support.cancelling import post_cancel
from tests.support.emails import CANCEL, RESCHEDULE
from tests.support.forms import login

# A button: its own one-cell table, the link a block filling the cell.
BUTTON = re.compile(r'<table role="presentation"[^>]*>\s*<tr><td[^>]*>\s*'
                    r'<a href="([^"]+)"[^>]*display: block;[^>]*>([^<]+)</a>')


def delivered(smtp, to):
    """The one message the worker delivered to `to`, parsed."""
    work_once()
    return {m["To"]: m for m in smtp.parsed()}[to]


def confirmation(world, **settings):
    if settings:
        Settings.update(**settings).execute()
    emails.queue_booking_confirmed(world.upcoming, world.customer, world.service,
                                   Settings.current(), utcnow())


def buttons(message):
    html = message.get_body(("html",)).get_content()
    return {label: url for url, label in BUTTON.findall(html)}, html


def calendar_event(message):
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    cal = Calendar.from_ical(part.get_content())
    [event] = cal.walk("VEVENT")
    return part, cal, event


def test_the_sender_is_the_business_by_name(world, smtp):
    Settings.update(business_name="Sparkle & Co. Cleaning").execute()
    confirmation(world)
    message = delivered(smtp, world.customer.email)
    [sender] = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Sparkle & Co. Cleaning",
                                                       "bookings@example.com")
    raw = smtp.envelopes[0].original_content
    # Quoted: "." is special in an address's display name.
    assert b'From: "Sparkle & Co. Cleaning" <bookings@example.com>\r\n' in raw


def test_a_name_that_is_not_ascii_travels_encoded(world, smtp):
    Settings.update(business_name="Ménage Élodie — Nettoyage").execute()
    confirmation(world)
    message = delivered(smtp, world.customer.email)
    raw = smtp.envelopes[0].original_content
    header = re.search(rb"^From: (.*?)\r\n(?! )", raw, re.M | re.S).group(1)
    assert header.isascii() and b"=?utf-8?" in header
    assert message["From"].addresses[0].display_name == "Ménage Élodie — Nettoyage"


def test_each_action_is_a_button_of_its_own_with_its_own_line_in_the_text(world, smtp):
    confirmation(world)
    message = delivered(smtp, world.customer.email)
    found, html = buttons(message)
    assert set(found) == {"View booking", RESCHEDULE, CANCEL}
    assert "/reschedule" in found[RESCHEDULE] and "/cancel" in found[CANCEL]
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    for label, url in found.items():
        assert f"\n{label}:\n{url}\n" in text  # the label alone, the URL alone below it
    # No two actions share a line: three tables, nothing but space between them.
    assert re.search(r"View booking</a>\s*</td></tr>\s*</table>\s*<table", html)


def test_buttons_only_for_what_the_policy_allows(world, smtp):
    confirmation(world, customers_may_cancel=False)
    found, html = buttons(delivered(smtp, world.customer.email))
    assert set(found) == {"View booking", RESCHEDULE}
    assert "/cancel" not in html and CANCEL not in html


def test_no_buttons_but_a_tappable_way_to_call_when_no_change_is_allowed(world, smtp):
    confirmation(world, customers_may_cancel=False, customers_may_reschedule=False,
                 contact_email="")
    found, html = buttons(delivered(smtp, world.customer.email))
    assert set(found) == {"View booking"}
    assert 'Please contact us on <a href="tel:5550104477"' in html


def test_the_footer_phone_and_email_are_links(world, smtp):
    confirmation(world, contact_phone="+1 (555) 010-4477", contact_email="hello@sparkle.example")
    _, html = buttons(delivered(smtp, world.customer.email))
    footer = html[html.rindex("border-top"):]
    assert '<a href="tel:+15550104477"' in footer and ">+1 (555) 010-4477</a>" in footer
    assert '<a href="mailto:hello@sparkle.example"' in footer


def test_the_invite_names_the_business_as_organizer(world, smtp):
    confirmation(world, business_name="Sparkle & Co. Cleaning",
                 contact_email="hello@sparkle.example")
    part, cal, event = calendar_event(delivered(smtp, world.customer.email))
    assert part.get_param("method") == "REQUEST" and str(cal["METHOD"]) == "REQUEST"
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:hello@sparkle.example"
    assert organizer.params["CN"] == "Sparkle & Co. Cleaning"
    attendee = event["ATTENDEE"]
    assert str(attendee) == f"mailto:{world.customer.email}"
    assert attendee.params["PARTSTAT"] == "ACCEPTED" and attendee.params["RSVP"] == "FALSE"
    assert str(event["UID"]) == f"{world.upcoming.ref}@rebook"
    assert int(event["SEQUENCE"]) == world.upcoming.version
    assert "ORGANIZER;CN=\"Sparkle & Co. Cleaning\":mailto:hello@sparkle.example" in (
        part.get_content().replace("\r\n ", ""))


def test_without_a_contact_email_the_organizer_is_the_sending_address(world, smtp):
    confirmation(world, contact_email="")
    _, _, event = calendar_event(delivered(smtp, world.customer.email))
    assert str(event["ORGANIZER"]) == "mailto:bookings@example.com"


def test_a_cancellation_removes_the_same_event_from_the_same_organizer(client, world, smtp):
    confirmation(world, contact_email="hello@sparkle.example")
    _, _, invite = calendar_event(delivered(smtp, world.customer.email))
    login(client, world.customer.email)
    assert post_cancel(client, world.upcoming).status_code == 302
    work_once()
    [cancel] = [m for m in smtp.parsed()
                if m["To"] == world.customer.email and "cancelled" in m["Subject"]]
    part, cal, event = calendar_event(cancel)
    assert str(cal["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == str(invite["UID"])
    assert int(event["SEQUENCE"]) > int(invite["SEQUENCE"])
    assert str(event["ORGANIZER"]) == str(invite["ORGANIZER"])
    found, _ = buttons(cancel)
    assert set(found) == {"View booking", "Book a new visit"}
    assert OutboxMessage.select().where(OutboxMessage.status != "sent").count() == 0
