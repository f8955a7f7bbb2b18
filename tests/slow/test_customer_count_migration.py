"""Migration 0027 on a database that already has bookings: customer_booking_count starts with
every customer's bookings counted, and from then on the triggers keep it."""
from datetime import timedelta

from peewee import fn
from playhouse.db_url import connect
from playhouse.migrations import Runner

from portal.bookings.models import Booking, CustomerBookingCount, Service
from portal.kernel.clock import utcnow
from portal.kernel.migrate import MIGRATIONS
from portal.models import ALL_MODELS
from portal.people import Customer


def _counted():
    return dict(Booking.select(Booking.customer, fn.COUNT(Booking.id))
                .group_by(Booking.customer).tuples())


def test_the_migration_counts_the_bookings_already_there(make_database_url):
    db = connect(make_database_url("rebook_customer_counts"))
    runner = Runner(db, str(MIGRATIONS))
    runner.up("0026_email_templates")
    with db.bind_ctx(ALL_MODELS):
        casey = Customer.create(name="Casey", email="casey@example.com")
        olive = Customer.create(name="Olive", email="olive@example.com")
        Customer.create(name="Nobody", email="nobody@example.com")
        service = Service.create(name="Clean", duration_minutes=60, price=5000)
        start = utcnow().replace(microsecond=0)
        Booking.insert_many([{"ref": f"BK-0{n:06d}", "customer": casey if n % 3 else olive,
                              "service": service, "starts_at": start + timedelta(hours=n),
                              "ends_at": start + timedelta(hours=n + 1), "price": 5000,
                              "address": "", "status": "scheduled", "version": 1,
                              "reschedule_count": 0, "created_at": start}
                             for n in range(10)]).execute()
        assert "0027_flat_lists" in runner.up()
        stored = dict(CustomerBookingCount.select(CustomerBookingCount.customer_id,
                                                  CustomerBookingCount.bookings).tuples())
        assert stored == _counted() == {casey.id: 6, olive.id: 4}
        Booking.delete().where(Booking.customer == olive).execute()
        assert CustomerBookingCount.get_by_id(olive.id).bookings == 0  # the triggers are in
    db.close()
