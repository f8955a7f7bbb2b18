"""A booking email as a phone shows it (issue 18 item 13): delivered through the outbox to a
real SMTP server, its HTML part opened in Chromium at 375 wide. The action buttons must each be
a thumb-sized target (44 px or more), not overlap, and fit the screen; so must the footer's
phone and email links be reachable."""
from datetime import timedelta

import pytest

from portal.bookings.models import SCHEDULED, Booking
from portal.kernel.clock import utcnow
from portal.messaging import emails
from portal.messaging.outbox import work_once
from portal.people import Customer
from portal.settings import Settings
from tests.support.browsing import CUSTOMER, new_context

ACTIONS = ("Reschedule or change booking details", "Cancel booking")
MIN_TAP = 44  # CSS px: the smallest target a thumb hits reliably


def _delivered_confirmation(smtp):
    """The HTML part of a booking confirmation as the SMTP server received it."""
    Settings.update(contact_phone="+1 (555) 010-4477",
                    contact_email="hello@sparkle.example").execute()
    customer = Customer.get(Customer.email == CUSTOMER)
    booking = (Booking.select().where((Booking.customer == customer)
                                      & (Booking.status == SCHEDULED)
                                      & (Booking.starts_at > utcnow() + timedelta(days=3)))
               .order_by(Booking.starts_at).first())
    emails.queue_booking_confirmed(booking, customer, booking.service, Settings.current(),
                                   utcnow())
    work_once()
    # Only the confirmation: the demo's orders queued emails to the same customer.
    [message] = [m for m in smtp.parsed()
                 if m["To"] == CUSTOMER and m["Subject"].startswith("Booking confirmed")]
    return message.get_body(("html",)).get_content()


def _box(page, name):
    link = page.get_by_role("link", name=name, exact=True)
    box = link.bounding_box()
    # What a tap at the middle of the box lands on: the link itself, nothing drawn over it.
    hit = page.evaluate("([x, y]) => { const e = document.elementFromPoint(x, y);"
                        " return e && e.closest('a') ? e.closest('a').textContent.trim() : ''; }",
                        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
    return box, hit


def _overlap(a, b):
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


@pytest.mark.parametrize("width, height", [(375, 740), (1280, 800)])
def test_the_action_buttons_are_thumb_sized_apart_and_on_screen(browser, demo, smtp, screenshot,
                                                                 width, height):
    html = _delivered_confirmation(smtp)
    context = new_context(browser)
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.set_content(html)
    boxes = {}
    for name in ("View booking", *ACTIONS):
        box, hit = _box(page, name)
        assert hit == name, f"a tap on {name!r} lands on {hit!r}"
        assert box["height"] >= MIN_TAP, (name, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (name, box)
        boxes[name] = box
    names = list(boxes)
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            assert not _overlap(boxes[first], boxes[second]), (first, second)
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
    for name, href in (("+1 (555) 010-4477", "tel:+15550104477"),
                       ("hello@sparkle.example", "mailto:hello@sparkle.example")):
        link = page.get_by_role("link", name=name, exact=True)
        assert link.get_attribute("href") == href
        box, hit = _box(page, name)
        assert hit == name and box["x"] + box["width"] <= width
        assert box["height"] >= MIN_TAP, (name, box)
    screenshot(page, f"email-confirmation-{width}")
    context.close()
