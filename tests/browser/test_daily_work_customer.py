"""Issue 18, items 2, 4, 10 and 11 in a real browser, clicked as people would: finding how to
book, a fieldworker closing yesterday's job and calling the customer, picking a new time from
the week strip, and pages in words people use."""
import re

import pytest
from playwright.sync_api import expect

from portal.bookings.models import Assignment, Booking, Service
from portal.kernel.clock import utcnow
from portal.kernel.timefmt import to_local
from portal.messaging.models import Notification
from portal.people import Customer, Staff
from portal.settings import Settings
from tests.support.browsing import log_in, open_booking, staff_log_in
from tests.support.slots import free

pytestmark = pytest.mark.browser

FIELDWORKER = "fieldworker@example.com"


def nav(page):
    return page.get_by_role("navigation", name="Main")


# 2. Customers can't find how to book

def test_book_from_the_nav_and_from_an_empty_my_bookings(page, demo):
    casey = Customer.get(Customer.email == "customer@example.com")
    Customer.create(name="Nina New", email="nina@example.com", password_hash=casey.password_hash)
    log_in(page, demo, email="nina@example.com")
    main = page.locator("main")
    expect(main).to_contain_text("You have no upcoming bookings.")
    main.get_by_role("button", name="Book an appointment").last.click()  # the empty state's
    expect(page.get_by_role("heading", name="Schedule an appointment", level=1)).to_be_visible()
    page.go_back()
    nav(page).get_by_role("link", name="Book", exact=True).click()
    expect(page).to_have_url(f"{demo}/book")


def test_with_online_booking_off_nothing_offers_it(page, demo):
    Settings.update(online_booking=False).execute()
    log_in(page, demo)
    expect(nav(page).get_by_role("link", name="Book", exact=True)).to_have_count(0)
    expect(page.locator("main").get_by_role("button", name="Book an appointment")).to_have_count(0)
    page.locator("#booking-list").get_by_role("link", name="Cancelled").click()
    open_booking(page, "Window cleaning", status="Cancelled")
    expect(page.get_by_role("button", name="Schedule an appointment")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("To book a new visit, contact us on")


# 4. Fieldworkers lose jobs

def test_fieldworker_finds_yesterdays_job_calls_and_maps_it(page, demo):
    staff_log_in(page, demo, email=FIELDWORKER)
    expect(page).to_have_url(f"{demo}/fieldworker/jobs")
    closing = page.locator("section.needs-closing")
    expect(closing.get_by_role("heading", name="Needs closing")).to_be_visible()
    row = closing.locator("li").filter(has_text="Regular clean").filter(has_text="Casey Customer")
    expect(row).to_have_count(1)
    expect(row.get_by_role("link", name=re.compile(r"^Call \(555\) 010-2000"))).to_have_attribute(
        "href", "tel:5550102000")
    expect(row.get_by_role("link", name=re.compile("^Map"))).to_have_attribute(
        "href",
        "https://www.google.com/maps/search/?api=1&query=12%20Maple%20Street%2C%20Springfield")
    row.locator("a.booking-row").click()
    expect(page.get_by_role("heading", name=re.compile("Regular clean"), level=1)).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts.get_by_role("link", name="(555) 010-2000")).to_have_attribute(
        "href", "tel:5550102000")
    expect(facts.get_by_role("link", name=re.compile("Open in maps"))).to_be_visible()


def test_fieldworker_cancels_and_is_not_told_about_it_and_the_line_names_her(page, demo):
    fran = Staff.get(Staff.email == FIELDWORKER)
    job = (Booking.select().join(Assignment, on=(Assignment.booking == Booking.id))
           .where((Assignment.staff == fran.id) & (Booking.status == "scheduled")
                  & (Booking.starts_at > utcnow())).order_by(Booking.starts_at.desc()).first())
    staff_log_in(page, demo, email=FIELDWORKER)
    page.goto(f"{demo}/fieldworker/jobs/{job.ref}")
    page.wait_for_load_state()
    page.locator("main").get_by_role("button", name="Cancel booking").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Cancellation note").fill("Van broke down")
    dialog.get_by_role("button", name="Cancel booking").click()
    expect(page.locator("dialog")).to_have_count(0)
    expect(page.locator("dl.facts")).to_contain_text("by Fran Fieldworker (fieldworker)")
    expect(page.locator("main")).not_to_contain_text("via fieldworker")
    assert not Notification.select().where((Notification.booking == job.id)
                                           & (Notification.staff == fran.id)).exists()


# 10. Picking a new time

def test_customer_picks_a_day_from_the_week_strip(page, demo, screenshot):
    booking = (Booking.select().join(Service).where((Service.name == "Deep clean")
                                                    & (Booking.status == "scheduled")
                                                    & (Booking.starts_at > utcnow())).get())
    slot = free(booking.service, days_ahead=7, index=1)
    Booking.update(starts_at=slot.starts_at, ends_at=slot.ends_at).where(
        Booking.id == booking.id).execute()
    tz = Settings.current().timezone
    day = to_local(slot.starts_at, tz).date()
    log_in(page, demo)
    page.goto(f"{demo}/bookings/{booking.ref}")
    page.wait_for_load_state()
    page.locator("main").get_by_role("button", name="Reschedule").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("Your booking now")
    expect(dialog).not_to_contain_text("Current time")
    dialog.get_by_label("Date").fill(day.isoformat())
    legend = dialog.locator("#reschedule-times legend")
    expect(legend).to_contain_text(f"Free times on {day.strftime('%A %-d %B %Y')} (New York time)")
    mine = dialog.locator(".current-slot")
    expect(mine).to_contain_text(to_local(slot.starts_at, tz).strftime("%-I:%M %p"))
    expect(mine).to_contain_text("your booking now")
    strip = dialog.get_by_role("navigation", name="Days this week")
    other = strip.locator("a.has-times:not([aria-current])").first
    other_day = re.search(r"date=([\d-]+)", other.get_attribute("href")).group(1)
    other.click()
    expect(legend).not_to_contain_text(day.strftime("%A %-d %B %Y"))
    expect(dialog.get_by_label("Date")).to_have_value(other_day)
    expect(strip.locator("[aria-current]")).to_be_focused()
    screenshot(page, "reschedule-week-strip")
    dialog.locator(".time-chip input").first.check()
    dialog.get_by_role("button", name="Move booking").click()
    expect(page.locator("#booking-" + booking.ref)).to_contain_text("Your booking is moved")
    assert to_local(Booking.get_by_id(booking.id).starts_at, tz).date().isoformat() == other_day


def test_without_real_time_availability_the_picker_does_not_promise_free_times(page, demo):
    Settings.update(real_time_availability=False).execute()
    log_in(page, demo)
    open_booking(page, "Deep clean")
    page.locator("main").get_by_role("button", name="Reschedule").click()
    legend = page.locator("dialog[open] #reschedule-times legend")
    expect(legend).to_contain_text("Times on")
    expect(legend).not_to_contain_text("Free times")


# 11. Developer wording

def test_cancel_and_reschedule_say_their_own_window(page, demo):
    Settings.update(cancel_notice_hours=24, customers_may_reschedule=True,
                    blocked_message="Too late to cancel online: call us.").execute()
    log_in(page, demo)
    open_booking(page, "Oven clean")  # six hours away
    expect(page.locator("#cancel-why")).to_contain_text("Too late to cancel online: call us.")
    expect(page.locator("#reschedule-why")).to_contain_text("Rescheduling online closes 24 hours")
    expect(page.locator("#reschedule-why")).not_to_contain_text("Too late to cancel")


def test_past_tab_holds_no_future_cancellation(page, demo):
    log_in(page, demo)
    page.locator("#booking-list").get_by_role("link", name="Past", exact=True).click()
    expect(page.locator("#booking-list [aria-current=page]")).to_have_text("Past")
    expect(page.locator("#booking-list .booking-row").filter(has_text="Window cleaning")
           .filter(has_text="Cancelled")).to_have_count(0)


def test_admin_pages_read_without_commands_or_codes(page, demo):
    staff_log_in(page, demo)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Emails").click()
    expect(page.locator("main")).not_to_contain_text("flask outbox work")
    page.goto(f"{demo}/admin/settings/portal")
    expect(page.locator("main")).not_to_contain_text("cron")
    casey = Customer.get(Customer.email == "customer@example.com")
    page.goto(f"{demo}/admin/customers/{casey.id}")
    history = page.locator("#customer-history + ol")
    expect(history).to_contain_text("by Casey Customer (customer)")
    expect(history).not_to_contain_text("(customer, portal)")
    expect(history).not_to_contain_text("(admin, admin)")
