"""Admin › Customers reads each customer's number of bookings from customer_booking_count,
which database triggers keep (migration 0027): it stays equal to counting the bookings through
every kind of change, whoever makes it, and the list shows it with the next visit."""
import re
from datetime import timedelta

from peewee import fn

from portal.bookings.models import SCHEDULED, Booking, CustomerBookingCount
from portal.bookings.services import cancel_booking
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.kernel.db import database
from portal.people import Customer
from tests.support.back_office import admin_client, text  # noqa: F401 (fixture)
from tests.support.bulk import bulk_bookings, bulk_customers
from tests.support.factories import booking


def counted():
    """{customer id: bookings} counted from the bookings themselves."""
    return dict(Booking.select(Booking.customer, fn.COUNT(Booking.id))
                .group_by(Booking.customer).tuples())


def stored():
    return {c: n for c, n in CustomerBookingCount.select(
        CustomerBookingCount.customer_id, CustomerBookingCount.bookings).tuples() if n}


def shown(client, customer_id):
    """(bookings, next visit) in the customer's row of the list."""
    page = text(client.get("/admin/customers"))
    row = re.search(rf'<tr id="customer-{customer_id}">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return int(cells[3]), cells[4].strip()


def test_the_stored_count_follows_every_change_to_the_bookings(admin_client, world):
    casey = counted()[world.customer.id]
    assert stored() == counted() and casey > 3
    assert shown(admin_client, world.customer.id)[0] == casey
    newcomer = Customer.create(name="Aaron Early", email="aaron@example.com")
    assert shown(admin_client, newcomer.id) == (0, "—")  # no bookings: no row, shown as 0
    made = booking(newcomer, world.service, timedelta(days=9), world.fw)
    bulk = bulk_customers(3)
    bulk_bookings(30, [newcomer.id, *bulk], [world.service.id], [world.fw.id])
    assert stored() == counted() and counted()[newcomer.id] == 1 + 8
    # Cancelling keeps the booking (and the count); moving one to another customer and
    # deleting one change both; plain SQL, not the models, is counted all the same.
    cancel_booking(made.ref, Actor("admin", world.admin.id, world.admin.name), channel="admin")
    Booking.update(customer=world.other.id).where(Booking.id == world.upcoming.id).execute()
    Booking.delete().where(Booking.id == world.past.id).execute()
    database.execute_sql("UPDATE booking SET customer_id = %s WHERE customer_id = %s" % (
        world.customer.id, bulk[0]))
    assert stored() == counted()
    assert counted()[world.customer.id] == casey - 2 + 8 and bulk[0] not in stored()
    assert shown(admin_client, newcomer.id)[0] == 9
    assert shown(admin_client, world.customer.id)[0] == casey - 2 + 8


def test_the_next_visit_is_the_first_scheduled_booking_still_to_come(admin_client, world):
    """Cancelling the customer's next visits one by one moves the column on to the next
    scheduled one (never a cancelled or past one), then to none."""
    admin = Actor("admin", world.admin.id, world.admin.name)
    coming = list(Booking.select().where((Booking.customer == world.customer.id)
                                         & (Booking.status == SCHEDULED)
                                         & (Booking.starts_at > utcnow()))
                  .order_by(Booking.starts_at))
    assert len(coming) >= 2
    seen = [shown(admin_client, world.customer.id)[1]]
    for upcoming in coming:
        cancel_booking(upcoming.ref, admin, channel="admin")
        seen.append(shown(admin_client, world.customer.id)[1])
    assert seen[-1] == "—" and "—" not in seen[:-1]
    assert len(set(seen)) == len(seen)
