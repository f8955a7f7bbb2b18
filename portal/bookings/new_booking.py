"""New booking (back office): staff book a visit for a customer on the phone or at the desk.

`picker` reads what the page shows for the choices in its URL; `book_for_customer` books, for
a customer already on file or one added in the same transaction (if the booking fails, no
customer is left behind). The booking itself is book_appointment's: invoice, slot claims,
audit event, confirmation email with its links and .ics, and the fieldworker's notice.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..kernel.clock import utcnow
from ..kernel.db import write_transaction
from ..kernel.errors import InvalidInput, NotFound
from ..kernel.input_limits import MAX_ID
from ..kernel.timefmt import to_local
from ..people import customer_queries, customers
from ..people import Customer
from ..people.contact_details import clean_address
from . import availability, queries
from .models import Service
from .scheduling import book_appointment

NOTES_MAX = 2000
PICKER_DAYS = 180  # how far ahead the date picker goes


def clean_notes(raw, field="notes"):
    """Notes for the fieldworker: lines kept, ends trimmed, at most NOTES_MAX characters."""
    notes = "\n".join(line.rstrip() for line in (raw or "").strip().splitlines())
    if len(notes) > NOTES_MAX:
        raise InvalidInput(f"The notes are {len(notes):,} characters; please keep them to "
                           f"{NOTES_MAX:,}.", field)
    return notes


@dataclass
class Picker:
    customer: Customer | None   # the chosen customer (only the columns pages show)
    matches: list               # customers matching the search `q`
    q: str
    services: list              # active services, by name
    service: Service | None
    staff: list                 # fieldworkers qualified for the service
    fieldworker: int | None     # the chosen one, or None for "whoever is free"
    day: date
    today: date
    last_day: date
    slots: list                 # availability.Slot, free starts that day
    notes: list = field(default_factory=list)  # what was wrong with the URL

    def args(self, **changes):
        """URL args for these choices (with changes), for links that keep them."""
        args = {"customer": self.customer.id if self.customer else None,
                "service": self.service.id if self.service else None,
                "fieldworker": self.fieldworker, "date": self.day.isoformat()}
        args.update(changes)
        return {key: value for key, value in args.items() if value not in (None, "")}


def _id(raw, what, notes):
    raw = str(raw if raw is not None else "").strip()
    if not raw:
        return None
    if raw.isascii() and raw.isdigit() and len(raw) <= 10 and 0 < int(raw) <= MAX_ID:
        return int(raw)
    notes.append(f"That isn't a {what} we know; choose one from the list.")
    return None


def _day(raw, today, notes):
    raw = str(raw or "").strip()
    if not raw:
        return today
    try:
        day = date.fromisoformat(raw[:10])
    except ValueError:
        notes.append("That isn't a date; showing today. Pick one from the calendar.")
        return today
    if not today <= day <= today + timedelta(days=PICKER_DAYS):
        notes.append(f"Pick a date between today and {PICKER_DAYS} days ahead; showing today.")
        return today
    return day


def picker(args, settings, now):
    """The page's choices from raw `args` (customer, q, service, fieldworker, date): unusable
    values become notes, never errors. A fixed number of queries."""
    notes, today = [], to_local(now, settings.timezone).date()
    q = " ".join(str(args.get("q") or "").split())[:100]
    customer_id = _id(args.get("customer"), "customer", notes)
    customer, matches = customer_queries.picker_choices(q, customer_id)
    if customer_id is not None and customer is None:
        notes.append("That customer no longer exists. Search again, or add them as new.")
    services = queries.bookable_services()
    wanted = _id(args.get("service"), "service", notes)
    service = next((s for s in services if s.id == wanted), services[0] if services else None)
    if wanted is not None and service is not None and service.id != wanted:
        notes.append(f"That service isn't offered any more; showing {service.name}.")
    staff = availability.qualified_staff(service) if service else []
    fieldworker = _id(args.get("fieldworker"), "fieldworker", notes)
    if fieldworker is not None and fieldworker not in {s.id for s in staff}:
        notes.append("That fieldworker doesn't do this service; showing everyone's free times.")
        fieldworker = None
    day = _day(args.get("date"), today, notes)
    slots = availability.free_slots(service, day, day, settings=settings, now=now,
                                    fieldworker=fieldworker, real_time=True) if service else []
    return Picker(customer, matches, q, services, service, staff, fieldworker, day, today,
                  today + timedelta(days=PICKER_DAYS), slots, notes)


def bookable_service(service_id):
    """The active service `service_id`, or InvalidInput naming the field."""
    service = Service.get_or_none(Service.id == service_id)
    if service is None or not service.active:
        raise InvalidInput((f"{service.name} is no longer offered. " if service else "")
                           + "Choose a service from the list.", "service")
    return service


def customer_for(actor, customer_id, new_customer, address):
    """The customer on file, or the new one added now (inside the caller's transaction).
    Returns (customer, created)."""
    if customer_id is None:
        if not any((new_customer or {}).values()):
            raise InvalidInput("Choose a customer, or enter the new customer's name and "
                               "email address.", "customer")
        return customers.create_customer(dict(new_customer, address=address), actor,
                                         prefix="new_"), True
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise NotFound("That customer no longer exists. Search for them again.")
    return customer, False


def book_for_customer(actor, *, customer_id, new_customer, service_id, starts_at,
                      fieldworker=None, address="", notes="", now=None):
    """Book `service_id` at `starts_at` (naive UTC) for the customer, or for `new_customer`
    ({name, email, phone}) added with the booking. Returns (booking, customer, created)."""
    now = now or utcnow()
    notes, address = clean_notes(notes), clean_address(address)
    with write_transaction():
        service = bookable_service(service_id)
        customer, created = customer_for(actor, customer_id, new_customer, address)
        booking = book_appointment(customer.id, service.id, starts_at, actor, channel="admin",
                                   fieldworker=fieldworker, address=address or None,
                                   notes=notes, now=now)
    return booking, customer, created
