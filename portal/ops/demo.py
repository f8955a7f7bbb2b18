"""Demo data: a cleaning business with staff, two customers and bookings in every state."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..audit import record
from ..billing.invoices import open_invoice
from ..bookings import claims
from ..bookings.models import CANCELLED, COMPLETED, Assignment, Booking, Service
from ..integrations.demo import load_demo_integrations
from ..kernel.actors import Actor
from ..kernel.clock import utcnow
from ..kernel.db import database
from ..orders.demo import load_demo_orders
from ..people import Customer, Staff
from ..reports.demo import load_demo_history
from ..settings import Settings

PASSWORD = "demo"


def _utc_at(days, hour, tz, minute=0):
    """Naive UTC for `days` from today at `hour` local time."""
    local_now = datetime.now(ZoneInfo(tz))
    local = (local_now + timedelta(days=days)).replace(hour=hour, minute=minute, second=0,
                                                      microsecond=0)
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _person(model, **fields):
    person = model(**fields)
    person.set_password(PASSWORD)
    person.save()
    return person


def load_demo(only_if_empty=True):
    """Create the demo records; returns False when staff already exist and only_if_empty."""
    if only_if_empty and Staff.select().exists():
        return False
    with database.atomic():
        settings = Settings.current()
        settings.contact_phone, settings.contact_email = "(555) 010-4477", "hello@example.com"
        settings.cancellation_fee, settings.no_show_fee = 2500, 4000  # $25 and $40
        settings.save()
        tz = settings.timezone
        admin = _person(Staff, name="Alex Admin", email="admin@example.com", role=Staff.ADMIN,
                        can_edit_booking_status=True)
        fw = _person(Staff, name="Fran Fieldworker", email="fieldworker@example.com",
                     role=Staff.FIELDWORKER, can_edit_booking_status=True)
        sam = _person(Staff, name="Sam Rivera", email="sam@example.com", role=Staff.FIELDWORKER)
        regular = Service.create(name="Regular clean", duration_minutes=120, price=9000)
        deep = Service.create(name="Deep clean", duration_minutes=240, price=18000)
        oven = Service.create(name="Oven clean", duration_minutes=90, price=7500)
        windows = Service.create(name="Window cleaning", duration_minutes=60, price=6000)
        casey = _person(Customer, name="Casey Customer", email="customer@example.com",
                        phone="(555) 010-2000", address="12 Maple Street, Springfield")
        other = _person(Customer, name="Olive Other", email="other@example.com",
                        phone="(555) 010-3000", address="88 Oak Avenue, Springfield")

        def book(customer, service, starts_at, worker, **extra):
            booking = Booking.create(customer=customer, service=service, starts_at=starts_at,
                                     ends_at=starts_at + timedelta(minutes=service.duration_minutes),
                                     address=customer.address, price=service.price, **extra)
            Assignment.create(booking=booking, staff=worker)
            if booking.status == "scheduled" and booking.starts_at > utcnow():
                claims.hold(booking.id, [worker.id], booking.starts_at, booking.ends_at)
            open_invoice(booking, service, settings)
            return booking

        soon = (utcnow() + timedelta(hours=6)).replace(minute=0, second=0, microsecond=0)
        book(casey, regular, _utc_at(2, 9, tz), fw)
        book(casey, deep, _utc_at(5, 13, tz), fw)
        book(casey, windows, _utc_at(9, 10, tz), sam)
        book(casey, oven, soon, fw)
        book(casey, regular, _utc_at(-1, 9, tz), fw)
        book(casey, deep, _utc_at(-8, 9, tz), sam, status=COMPLETED)
        cancelled = book(casey, windows, _utc_at(3, 15, tz), sam, status=CANCELLED,
                         cancelled_at=utcnow() - timedelta(days=1), cancelled_by_kind="customer",
                         cancelled_by_id=casey.id, cancel_channel="portal",
                         cancel_note="Away that week, will rebook.", version=2)
        record("booking", cancelled.id, "cancelled", Actor("customer", casey.id, casey.name),
               "portal", before={"status": "scheduled"}, after={"status": CANCELLED},
               note=cancelled.cancel_note)
        olive_regular = book(other, regular, _utc_at(3, 11, tz), fw)
        olive_oven = book(other, oven, _utc_at(6, 14, tz), sam)
        load_demo_orders(casey)
        load_demo_integrations(manual_booking=olive_regular, automatic_booking=olive_oven)
        load_demo_history([regular, deep, oven, windows], [fw, sam], admin, utcnow(), tz,
                          casey.password_hash)
    return True
