"""Admin > Activity with 100,000 audit events (SQLite): one figure per filter.

A whole request through the Flask test client, logged in as an admin: session, settings, the
count, the page of events with their subjects named, the select options and the render.
`python -m bench.activity`
"""
import json
import statistics
import tempfile
from datetime import timedelta
from pathlib import Path

from werkzeug.security import generate_password_hash

from bench.common import insert_chunks, timed
from portal import create_app
from portal.audit import AuditEvent
from portal.billing.models import Invoice, Refund
from portal.bookings.models import Booking, Service
from portal.kernel.clock import utcnow
from portal.kernel.db import database
from portal.kernel.migrate import upgrade
from portal.people import Customer, Staff

EVENTS = 100_000
BOOKINGS = 10_000
RUNS = 20


def _seed():
    """An admin, 4 fieldworkers, BOOKINGS bookings with an invoice each and a refund on every
    tenth, and EVENTS events a minute apart over ~70 days: bookings created, cancelled and
    rescheduled, payments, refund steps and settings changes by customers, staff and the system.
    Returns (a booking reference with money events, a fieldworker id)."""
    pw = generate_password_hash("demo")
    admin = Staff.create(name="Ada Admin", email="admin@example.com", role="admin",
                         password_hash=pw)
    workers = [Staff.create(name=f"Worker {i}", email=f"w{i}@example.com", password_hash=pw).id
               for i in range(4)]
    service = Service.create(name="Regular clean", duration_minutes=120, price=9000)
    customer = Customer.create(name="Casey", email="c@example.com", password_hash=pw)
    now = utcnow().replace(microsecond=0)
    with database.atomic():
        insert_chunks(Booking, [
            {"ref": f"BK-{i:06d}", "customer": customer.id, "service": service.id,
             "starts_at": now, "ends_at": now, "price": 9000, "address": "",
             "status": "scheduled", "version": 1, "reschedule_count": 0, "created_at": now}
            for i in range(BOOKINGS)])
        bookings = [b for (b,) in Booking.select(Booking.id).order_by(Booking.id).tuples()]
        insert_chunks(Invoice, [{"booking": b, "customer": customer.id, "currency": "USD",
                                  "created_at": now} for b in bookings])
        invoices = [i for (i,) in Invoice.select(Invoice.id).order_by(Invoice.id).tuples()]
        insert_chunks(Refund, [{"invoice": i, "amount": 1000, "requested_by_kind": "customer",
                                 "requested_at": now} for i in invoices[::10]])
        refunds = [r for (r,) in Refund.select(Refund.id).order_by(Refund.id).tuples()]
        kinds = [("booking", "created", "customer", customer.id, bookings),
                 ("booking", "cancelled", "admin", admin.id, bookings),
                 ("booking", "rescheduled", "fieldworker", workers[1], bookings),
                 ("invoice", "payment_recorded", "admin", admin.id, invoices),
                 ("refund", "refund_requested", "customer", customer.id, refunds),
                 ("refund", "refund_approved", "admin", admin.id, refunds),
                 ("booking", "completed", "system", None, bookings),
                 ("settings", "portal_settings_changed", "admin", admin.id, [1])]
        first = now - timedelta(minutes=EVENTS)
        rows = []
        for n in range(EVENTS):
            subject, action, actor, actor_id, ids = kinds[n % len(kinds)]
            rows.append({"subject_type": subject, "subject_id": ids[n % len(ids)],
                         "action": action, "actor_kind": actor, "actor_id": actor_id,
                         "actor_label": "Someone", "channel": "admin",
                         "before": json.dumps({"status": "scheduled"}),
                         "after": json.dumps({"status": "cancelled", "amount": 4500}),
                         "note": "", "created_at": first + timedelta(minutes=n)})
        insert_chunks(AuditEvent, rows)
    return f"BK-{3:06d}", workers[1]


def main():
    tmp = Path(tempfile.mkdtemp())
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})
    with app.app_context(), database.connection_context():
        upgrade()
        ref, worker = _seed()
    today = utcnow().date()
    filters = {
        "default (everything, newest first)": "",
        "50 a page, page 400": "?per=50&page=400",
        "a booking (with its money)": f"?q={ref}",
        "one fieldworker": f"?actor={worker}",
        "customers": "?actor=customers",
        "action: refund approved": "?action=refund_approved",
        "a week ago, one day": f"?from={today - timedelta(days=7)}&to={today - timedelta(days=7)}",
        "combined: admin, cancelled, a month": f"?actor=staff&action=cancelled&from="
                                               f"{today - timedelta(days=30)}",
        "htmx fragment, page 2": "?page=2",
    }
    client = app.test_client()
    client.post("/login", data={"email": "admin@example.com", "password": "demo"})
    medians = []
    for label, query in filters.items():
        headers = {"HX-Request": "true"} if label.startswith("htmx") else {}
        url = f"/admin/activity{query}"
        assert client.get(url, headers=headers).status_code == 200, url
        median, slowest = timed(lambda: client.get(url, headers=headers), RUNS)
        medians.append(median)
        print(f"Activity, {label:<38} {EVENTS:,} events: median {median:.1f} ms, "
              f"max {slowest:.1f} ms")
    print(f"Activity page, {EVENTS:,} events, {len(filters)} filters: median "
          f"{statistics.median(medians):.1f} ms (slowest filter's median {max(medians):.1f} ms)")


if __name__ == "__main__":
    main()
