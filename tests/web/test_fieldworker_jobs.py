"""My jobs for a fieldworker: past jobs still Scheduled wait under "Needs closing" whatever
their age; phone and address are tappable; the canceller is not told of their own change; the
history names people."""
from datetime import timedelta

from portal.bookings.models import Booking
from portal.messaging.models import Notification, OutboxMessage
from portal.people import Customer
from tests.support.factories import booking
from tests.support.forms import csrf_from, login, logout
from tests.support.pages import words


def section(html, heading_id):
    """The HTML of one <section> of the page, from its heading on."""
    start = html.index(f'id="{heading_id}"')
    return html[start:html.index("</section>", start)]


def test_needs_closing_lists_past_scheduled_jobs_of_any_age_above_upcoming(client, world):
    old = booking(world.customer, world.service, -timedelta(days=9), world.fw)
    done = booking(world.customer, world.service, -timedelta(days=2), world.fw,
                   status="completed")
    login(client, world.fw.email)
    html = client.get("/fieldworker/jobs").get_data(as_text=True)
    closing, upcoming = section(html, "needs-closing"), section(html, "upcoming-jobs")
    assert html.index("Needs closing") < html.index("Today and upcoming")
    assert old.ref in closing and world.past.ref in closing  # nine days and one day ago
    assert closing.index(old.ref) < closing.index(world.past.ref)  # oldest first
    assert done.ref not in html and world.completed.ref not in html  # closed already
    assert world.upcoming.ref in upcoming and world.past.ref not in upcoming
    # Closing it takes it off the list.
    Booking.update(status="completed").where(Booking.id.in_([old.id, world.past.id])).execute()
    html = client.get("/fieldworker/jobs").get_data(as_text=True)
    assert "Needs closing" not in html and world.upcoming.ref in html


def test_someone_elses_stale_job_is_not_listed(client, world):
    theirs = booking(world.other, world.service, -timedelta(days=3), world.fw2)
    login(client, world.fw.email)
    assert theirs.ref not in client.get("/fieldworker/jobs").get_data(as_text=True)


def test_phone_and_address_are_links_escaped_for_a_url(client, world):
    Customer.update(phone="+1 (555) 010-2000",
                    address='Flat #4, 10 Main St & 2nd "Ave"').where(
        Customer.id == world.customer.id).execute()
    job = booking(Customer.get_by_id(world.customer.id), world.service, timedelta(days=1),
                  world.fw)
    login(client, world.fw.email)
    maps = ("https://www.google.com/maps/search/?api=1&amp;query="
            "Flat%20%234%2C%2010%20Main%20St%20%26%202nd%20%22Ave%22")
    for url in ("/fieldworker/jobs", f"/fieldworker/jobs/{job.ref}"):
        html = client.get(url).get_data(as_text=True)
        assert 'href="tel:+15550102000"' in html, url
        assert f'href="{maps}"' in html, url


def cancel_as_fieldworker(client, world, ref):
    url = f"/fieldworker/jobs/{ref}/cancel"
    csrf = csrf_from(client.get(f"/fieldworker/jobs/{ref}").get_data(as_text=True))
    version = Booking.get(Booking.ref == ref).version
    return client.post(url, data={"csrf_token": csrf, "version": version, "note": "Van broke"})


def test_the_fieldworker_who_cancels_is_not_told_but_their_colleague_is(client, world):
    login(client, world.fw.email)  # world.upcoming has fw and fw2
    assert cancel_as_fieldworker(client, world, world.upcoming.ref).status_code == 302
    told = {n.staff_id for n in Notification.select().where(
        (Notification.booking == world.upcoming.id) & (Notification.kind == "booking_cancelled"))}
    assert told == {world.fw2.id}
    mailed = {m.to_address for m in OutboxMessage.select().where(
        OutboxMessage.dedupe_key.startswith(f"staff_booking_cancelled:{world.upcoming.id}:"))}
    assert world.fw.email not in mailed


def test_history_and_cancelled_line_name_the_person(client, world):
    login(client, world.fw.email)
    cancel_as_fieldworker(client, world, world.upcoming.ref)
    text = words(client.get(f"/fieldworker/jobs/{world.upcoming.ref}"))
    assert "by Fred Worker (fieldworker)" in text
    assert "by fieldworker via fieldworker" not in text and "via" not in text
    logout(client)
    login(client, world.admin.email)
    admin = words(client.get(f"/admin/bookings/{world.upcoming.ref}"))
    assert "Cancelled by Fred Worker (fieldworker)" in admin
    assert "(fieldworker, fieldworker)" not in admin
