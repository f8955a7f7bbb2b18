"""Test data built through the real models."""
from datetime import timedelta
from types import SimpleNamespace

from werkzeug.security import generate_password_hash

from portal.bookings.models import Assignment, Booking, Service
from portal.kernel.clock import utcnow
from portal.people import Customer, Staff
from portal.settings import Settings

# Hash once: every test account's password is "demo". One PBKDF2 round, not werkzeug's default
# scrypt, so a login in a test costs microseconds; check_password_hash still runs its real code
# on it. Tests about the hash itself (login timing) ask for REAL_HASH, the default scrypt one,
# with @pytest.mark.real_password_hash.
DEMO_HASH = generate_password_hash("demo", method="pbkdf2:sha256:1")
REAL_HASH = generate_password_hash("demo")


def person(model, **fields):
    return model.create(password_hash=DEMO_HASH, **fields)


def booking(customer, service, starts_in, worker=None, **extra):
    starts_at = (utcnow() + starts_in).replace(microsecond=0)
    b = Booking.create(customer=customer, service=service, starts_at=starts_at,
                       ends_at=starts_at + timedelta(minutes=service.duration_minutes),
                       address=customer.address, price=service.price, **extra)
    if worker is not None:
        Assignment.create(booking=b, staff=worker)
    return b


def build_world():
    settings = Settings.current()
    settings.contact_phone = "(555) 010-4477"
    settings.save()
    admin = person(Staff, name="Ada Admin", email="admin@example.com", role="admin",
                   can_edit_booking_status=True)
    fw = person(Staff, name="Fred Worker", email="fw@example.com", role="fieldworker",
                can_edit_booking_status=True)
    fw2 = person(Staff, name="Gina Helper", email="fw2@example.com", role="fieldworker")
    customer = person(Customer, name="Casey Customer", email="customer@example.com",
                      address="12 Maple Street")
    other = person(Customer, name="Olive Other", email="other@example.com",
                   address="88 Oak Avenue")
    service = Service.create(name="Regular clean", duration_minutes=120, price=9000)
    upcoming = booking(customer, service, timedelta(days=3), fw)
    Assignment.create(booking=upcoming, staff=fw2)
    return SimpleNamespace(
        settings=settings, admin=admin, fw=fw, fw2=fw2, customer=customer, other=other,
        service=service, upcoming=upcoming,
        later=booking(customer, service, timedelta(days=10), fw),
        soon=booking(customer, service, timedelta(hours=5), fw),
        past=booking(customer, service, -timedelta(days=1), fw),
        completed=booking(customer, service, -timedelta(days=7), fw, status="completed"),
        cancelled=booking(customer, service, timedelta(days=4), fw, status="cancelled",
                          cancelled_at=utcnow(), cancel_channel="portal", version=2),
        others=booking(other, service, timedelta(days=3), fw),
    )
