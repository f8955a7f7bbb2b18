"""Demo history: a hundred days of past visits for other customers, so the reports have
something to say (cancellations by reason, channel and notice, fees, refunds, reschedules)."""
import json
import random
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from ..audit import AuditEvent
from ..billing.models import CANCELLATION_FEE, NO_SHOW_FEE, Invoice, InvoiceLine, Refund
from ..bookings.models import CANCELLED, COMPLETED, NO_SHOW, Assignment, Booking
from ..people import Customer
from ..settings import CancellationReason, ensure_default_reasons

DAYS = 100
NAMES = ["Jordan Lee", "Priya Shah", "Marcus Bell", "Hana Sato", "Diego Ramos", "Ivy Chen",
         "Noah Brooks", "Lena Fischer", "Omar Haddad", "Grace Kim", "Theo Martin", "Zoe Adams"]
# Where customers cancel from, and how often (weights).
CHANNELS = [("portal", 6), ("email_link", 4), ("admin", 2), ("fieldworker", 1)]
OTHER_NOTES = ["Moving house that week", "Builders in, can't have anyone over",
               "Booked by mistake", "Dog just had puppies", "Power cut in our street"]


def _insert(model, rows):
    for start in range(0, len(rows), 200):
        model.insert_many(rows[start:start + 200]).execute()


def _utc(day, hour, zone):
    local = datetime.combine(day, time(hour), tzinfo=zone)
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def load_demo_history(services, workers, admin, now, tz, password_hash):
    """Past bookings for a dozen more customers; call inside the demo's transaction."""
    rng = random.Random(2026)
    zone = ZoneInfo(tz)
    today = now.replace(tzinfo=timezone.utc).astimezone(zone).date()
    _insert(Customer, [{"name": name, "email": name.lower().replace(" ", ".") + "@example.com",
                        "password_hash": password_hash, "created_at": now} for name in NAMES])
    customers = list(Customer.select().where(Customer.name.in_(NAMES)).order_by(Customer.id))
    ensure_default_reasons()
    reasons = list(CancellationReason.select().where(CancellationReason.active))
    channels = [c for c, weight in CHANNELS for _ in range(weight)]
    rows, plan = [], []
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        if day.weekday() == 6:
            continue
        # Cancellations creep up in the last month: something for the trend line to show.
        chance = 0.10 + (0.08 if back <= 30 else 0)
        for slot, hour in enumerate((9, 11, 14)[:rng.randint(1, 3)]):
            service, customer = rng.choice(services), rng.choice(customers)
            starts = _utc(day, hour, zone)
            row = {"ref": f"BK-H{back:03d}{slot}", "customer": customer.id,
                   "service": service.id, "starts_at": starts,
                   "ends_at": starts + timedelta(minutes=service.duration_minutes),
                   "address": "", "price": service.price, "status": COMPLETED, "version": 1,
                   "reschedule_count": 1 if rng.random() < 0.12 else 0,
                   "created_at": starts - timedelta(days=14),
                   # insert_many takes its columns from the first row: every row names them all.
                   "cancelled_at": None, "cancelled_by_kind": None, "cancelled_by_id": None,
                   "cancel_channel": None, "cancel_reason": None, "cancel_reason_label": None,
                   "cancel_note": None}
            roll = rng.random()
            if roll < chance:
                notice = rng.choice([3, 10, 20, 30, 40, 60, 100, 200, 300])
                reason = rng.choice(reasons)
                channel = rng.choice(channels)
                kind = channel if channel in ("admin", "fieldworker") else "customer"
                row.update(status=CANCELLED, cancelled_at=starts - timedelta(hours=notice),
                           cancelled_by_kind=kind,
                           cancelled_by_id=(admin.id if kind == "admin" else workers[0].id
                                            if kind == "fieldworker" else customer.id),
                           cancel_channel=channel, cancel_reason=reason.id,
                           cancel_reason_label=reason.label, version=2,
                           cancel_note=rng.choice(OTHER_NOTES) if reason.is_other else None)
            elif roll < chance + 0.03:
                row["status"] = NO_SHOW
            rows.append(row)
            plan.append(rng.choice(workers).id)
    _insert(Booking, rows)
    made = list(Booking.select().where(Booking.ref.in_([r["ref"] for r in rows]))
                .order_by(Booking.starts_at))
    _insert(Assignment, [{"booking": b.id, "staff": worker} for b, worker in zip(made, plan)])
    _money(made, now, rng)
    names = {("customer", c.id): c.name for c in customers}
    names.update({("admin", admin.id): admin.name,
                  ("fieldworker", workers[0].id): workers[0].name})
    _insert(AuditEvent, [{
        "subject_type": "booking", "subject_id": b.id, "action": "cancelled",
        "actor_kind": b.cancelled_by_kind, "actor_id": b.cancelled_by_id,
        "actor_label": names.get((b.cancelled_by_kind, b.cancelled_by_id), ""),
        "channel": b.cancel_channel, "before": json.dumps({"status": "scheduled"}),
        "after": json.dumps({"status": CANCELLED}), "note": b.cancel_note or "",
        "created_at": b.cancelled_at} for b in made if b.status == CANCELLED])


def _money(made, now, rng):
    """Fees on late cancellations and no-shows, and a few refunds asked for or paid."""
    charged = [b for b in made if b.status == NO_SHOW
               or (b.status == CANCELLED and b.starts_at - b.cancelled_at < timedelta(hours=24))]
    refunded = [b for b in made if b.status == CANCELLED and rng.random() < 0.25]
    for b in {b.id: b for b in charged + refunded}.values():
        invoice = Invoice.create(booking=b.id, customer=b.customer_id, created_at=b.created_at)
        if b in charged:
            no_show = b.status == NO_SHOW
            InvoiceLine.create(invoice=invoice, kind=NO_SHOW_FEE if no_show else CANCELLATION_FEE,
                               amount=4000 if no_show else 2500,
                               description="No-show fee" if no_show else "Late cancellation fee",
                               created_at=b.cancelled_at or b.starts_at)
        if b in refunded:
            status = rng.choice(["requested", "approved", "processed", "processed"])
            Refund.create(invoice=invoice, amount=b.price // 2, status=status,
                          requested_by_kind="customer", requested_at=now,
                          decided_at=None if status == "requested" else now,
                          decided_by_label="" if status == "requested" else "Alex Admin")
