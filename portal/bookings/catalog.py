"""Admin > Services: what the business offers, for how long and how much, and who does it.

A service is never deleted (bookings and invoices name it); switched off, it leaves the
pickers. Its fieldworkers are ServiceStaff rows; none means every fieldworker does it, which is
how availability reads it too. Every change is one write transaction with its audit event.
"""
from collections import defaultdict

from peewee import fn

from .. import audit
from ..billing.money import parse_amount
from ..kernel.db import locked, write_transaction
from ..kernel.errors import InvalidInput, NotFound
from ..people import Staff
from .models import Service
from .schedule_models import ServiceStaff

NAME_MAX = 120
# Five-minute steps: any start on the booking grid plus such a length covers whole claim
# cells (a 50-minute visit holds four 15-minute cells), and nobody books a 7-minute clean.
DURATION_MIN, DURATION_MAX, DURATION_STEP = 5, 720, 5


def listed():
    """Every service (active first, then by name) with its fieldworkers' names: two queries."""
    services = list(Service.select().order_by(Service.active.desc(), Service.name, Service.id))
    names = defaultdict(list)
    for service_id, name in (ServiceStaff.select(ServiceStaff.service, Staff.name).join(Staff)
                             .order_by(Staff.name).tuples()):
        names[service_id].append(name)
    return [(service, names[service.id]) for service in services]


def fieldworkers(keep_ids=()):
    """Fieldworkers an admin may qualify, by name: the active ones, and any inactive one
    already qualified (so saving the form does not quietly drop them)."""
    wanted = Staff.active | Staff.id.in_(list(keep_ids)) if keep_ids else Staff.active
    return list(Staff.select(Staff.id, Staff.name, Staff.active)
                .where(wanted & (Staff.role == Staff.FIELDWORKER))
                .order_by(Staff.name, Staff.id))


def get(service_id):
    """(the service, ids of its fieldworkers) or NotFound."""
    service = Service.get_or_none(Service.id == service_id)
    if service is None:
        raise NotFound("We couldn't find that service. It may have been removed; reload the list.")
    staff = [s for (s,) in ServiceStaff.select(ServiceStaff.staff)
             .where(ServiceStaff.service == service.id).tuples()]
    return service, staff


def _minutes(raw):
    text = str(raw if raw is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else None


def clean(fields):
    """The form's values (name, duration_minutes, price as typed, active, staff ids) checked
    and converted: (service values, staff ids). InvalidInput's code names the field at fault."""
    name = " ".join((fields.get("name") or "").split())
    if not name:
        raise InvalidInput("Give the service a name.", "name")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"Please keep the name to {NAME_MAX} characters.", "name")
    duration = _minutes(fields.get("duration_minutes"))
    if duration is None or not DURATION_MIN <= duration <= DURATION_MAX \
            or duration % DURATION_STEP:
        raise InvalidInput(f"The duration is a whole number of minutes from {DURATION_MIN} to "
                           f"{DURATION_MAX} (12 hours), in steps of {DURATION_STEP}.",
                           "duration_minutes")
    try:
        price = parse_amount(fields.get("price"), "The price")
    except InvalidInput as exc:
        raise InvalidInput(exc.message, "price") from None
    return {"name": name, "duration_minutes": duration, "price": price,
            "active": bool(fields.get("active"))}, _clean_staff(fields.get("staff"))


def _clean_staff(staff_ids):
    try:
        ids = sorted({int(s) for s in staff_ids or []})
    except (TypeError, ValueError):
        raise InvalidInput("Choose fieldworkers from the list.", "staff") from None
    if ids:
        known = {s for (s,) in Staff.select(Staff.id).where(
            Staff.id.in_(ids) & (Staff.role == Staff.FIELDWORKER)).tuples()}
        if known != set(ids):
            raise InvalidInput("Choose fieldworkers from the list; one of those chosen isn't a "
                               "fieldworker any more. Reload the page.", "staff")
    return ids


def _check_name_free(name, active, keep_id=None):
    """Two active services with one name would be impossible to tell apart in the pickers."""
    if not active:
        return
    query = Service.select(Service.id).where(Service.active & (fn.LOWER(Service.name)
                                                                == name.lower()))
    if keep_id is not None:
        query = query.where(Service.id != keep_id)
    if query.exists():
        raise InvalidInput(f"There is already an active service called \u201c{name}\u201d. "
                           "Choose another name.", "name")


def _staff_names(ids):
    if not ids:
        return []
    return [n for (n,) in Staff.select(Staff.name).where(Staff.id.in_(ids))
            .order_by(Staff.name).tuples()]


def create(fields, actor):
    """Add a service from the form's `fields` (see clean); returns it."""
    values, staff_ids = clean(fields)
    with write_transaction():
        _check_name_free(values["name"], values["active"])
        service = Service.create(**values)
        if staff_ids:
            ServiceStaff.insert_many([{"service": service.id, "staff": s}
                                      for s in staff_ids]).execute()
        audit.record("service", service.id, "service_created", actor, "admin",
                     after={**values, "staff": _staff_names(staff_ids)})
    return service


def edit(service_id, fields, actor):
    """Save an edit of the form's `fields`; returns the changed field names (maybe none).

    Bookings already made keep their price and times: the invoice said what it said.
    """
    values, staff_ids = clean(fields)
    with write_transaction():
        service = locked(Service.select().where(Service.id == service_id)).get_or_none()
        if service is None:
            raise NotFound("We couldn't find that service. Reload the list.")
        _check_name_free(values["name"], values["active"], keep_id=service.id)
        had = sorted(s for (s,) in ServiceStaff.select(ServiceStaff.staff)
                     .where(ServiceStaff.service == service.id).tuples())
        changed = {f: v for f, v in values.items() if getattr(service, f) != v}
        before = {f: getattr(service, f) for f in changed}
        if had != staff_ids:
            before["staff"], changed["staff"] = _staff_names(had), _staff_names(staff_ids)
            ServiceStaff.delete().where(ServiceStaff.service == service.id).execute()
            if staff_ids:
                ServiceStaff.insert_many([{"service": service.id, "staff": s}
                                          for s in staff_ids]).execute()
        if not changed:
            return []
        fields = {f: v for f, v in changed.items() if f != "staff"}
        if fields:
            Service.update(**fields).where(Service.id == service.id).execute()
        audit.record("service", service.id, "service_updated", actor, "admin",
                     before=before, after=changed)
    return sorted(changed)
