"""A business with something behind every form (invoices, a refund, orders, integrations, a
token, an email, a notice, blocked time, an invited customer) for the form fuzz test; rebuilt
with the same ids and references after any post that was accepted, and a snapshot of every row
to prove a refused post changed nothing."""
import re
from datetime import timedelta

from portal.accounts import email_change
from portal.billing.invoices import open_invoice
from portal.billing.models import FeeTier, Invoice, Payment
from portal.billing.refunds import approve_refund, request_refund
from portal.bookings.links import make_token
from portal.bookings.models import Booking
from portal.bookings.schedule_models import BlockedTime
from portal.bookings.waitlist import join
from portal.bookings.waitlist_links import make_offer_token
from portal.bookings.waitlist_models import WaitlistOffer
from portal.integrations.demo import load_demo_integrations
from portal.integrations.tokens import create_token
from portal.integrations.webhook_models import DEAD, WebhookDelivery
from portal.kernel.actors import SYSTEM, Actor
from portal.kernel.clock import utcnow
from portal.kernel.db import database, write_transaction
from portal.messaging.models import Notification, OutboxMessage
from portal.messaging.outbox import enqueue_email
from portal.models import ALL_MODELS
from portal.orders.demo import load_demo_orders
from portal.orders.models import Order
from portal.people import Staff
from portal.settings import ensure_default_reasons
from tests.support.database import empty_tables
from tests.support.factories import DEMO_HASH, booking, build_world

LINK_RE = re.compile(r"http://localhost(/account/(?:invite|reset|email)/[A-Za-z0-9_.\-]+)")


def build(app):
    """The world, with stable references; returns (world, tokens by name)."""
    from portal.accounts.invitations import queue_invitation, queue_reset
    from portal.people import Customer

    with app.test_request_context():
        database.connect(reuse_if_open=True)
        empty_tables()
        world = build_world()
        ensure_default_reasons()
        # Under way now: on the fieldworker's list, and may be marked completed or no-show.
        booking(world.customer, world.service, -timedelta(minutes=30), world.fw)
        for b in (world.upcoming, world.later, world.past, world.completed, world.cancelled):
            # A cancelled booking's invoice has no service line: all it was paid is due back.
            invoice = Invoice.create(booking=b, customer=b.customer) if b is world.cancelled \
                else open_invoice(b, world.service, world.settings)
            Payment.create(invoice=invoice, amount=9000, method="card", reference="F-1",
                           recorded_by_kind="system", recorded_by_label="Rebook")
        invoice = Invoice.get(Invoice.booking == world.completed.id)
        admin = Actor("admin", world.admin.id, world.admin.name)
        request_refund(invoice.id, 1000, "Fuzz", admin, channel="admin")
        approve_refund(request_refund(invoice.id, 500, "Fuzz", admin, channel="admin").id, admin)
        FeeTier.create(under_hours=24, kind="flat", flat_amount=1500)
        Staff.create(name="Ivy Inactive", email="ivy@example.com", role="fieldworker",
                     password_hash=DEMO_HASH, active=False)
        load_demo_orders(world.customer)
        clinic, calsync = load_demo_integrations(world.upcoming, world.others)
        create_token(clinic.id, ["bookings:read"], SYSTEM)
        WebhookDelivery.create(event_id="evt_fuzz", integration=calsync, event_type="booking.cancelled",
                               body="{}", status=DEAD, attempts=8, last_error="refused")
        enqueue_email(dedupe_key="fuzz-1", to="customer@example.com", subject="Hello",
                      text="Hello")
        Notification.create(staff=world.fw, booking=world.upcoming, kind="cancelled",
                            message="A booking was cancelled.")
        start = (utcnow() + timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
        BlockedTime.create(staff=None, starts_at=start, ends_at=start + timedelta(hours=2),
                           reason="Team day")
        for b in Booking.select():
            Booking.update(ref=f"BK-F{b.id:04d}").where(Booking.id == b.id).execute()
        for o in Order.select():
            Order.update(ref=f"OR-F{o.id:04d}").where(Order.id == o.id).execute()
        newbie = Customer.create(name="Nina Newbie", email="newbie@example.com",
                                 address="3 Elm Road")
        with write_transaction():
            invite = LINK_RE.search(queue_invitation(newbie)).group(1)
            reset = LINK_RE.search(queue_reset(world.other)).group(1)
            email_change.request_change(world.other, "other.new@example.com", utcnow())
        change = OutboxMessage.get(OutboxMessage.to_address == "other.new@example.com")
        confirm = LINK_RE.search(change.body_text).group(1)
        secret = app.config["SECRET_KEY"]
        # A waitlist entry (Account > Waitlist lists it, with Leave) and an offer (its link).
        waiting = join(world.other.id, world.service.id, start.date(),
                       start.date() + timedelta(days=3), "any")
        join(world.customer.id, world.service.id, start.date(), start.date(), "morning")
        offer = WaitlistOffer.create(entry=waiting, starts_at=start, ends_at=start + timedelta(
            hours=2), expires_at=start, created_at=utcnow())
        tokens = {"waitlist-offer": make_offer_token(secret, offer),"invite": invite.rsplit("/", 1)[1], "reset": reset.rsplit("/", 1)[1],
                  "email": confirm.rsplit("/", 1)[1],
                  **{f"link-{purpose}": make_token(secret, purpose, Booking.get_by_id(
                      world.later.id)) for purpose in ("view", "cancel", "reschedule")}}
    return world, tokens


# Bookkeeping a refused request rightly leaves: a counted try (rate limits) and a session's
# last-seen time. Neither is a change the person asked for.
# The report summaries are derived data: a page may bring them up to date (migrations 0017,
# 0029, 0030, 0031, 0032).
BOOKKEEPING = {"rate_limit_hit", "login_session", "report_day", "report_dirty", "report_state",
                "report_money", "report_month", "report_reason_month", "report_money_month"}


def snapshot():
    """Every table's row count and highest id, every version column's sum, and the settings
    row, in one query: any insert, delete, versioned change or settings change shows."""
    parts = []
    for model in ALL_MODELS:
        if model._meta.table_name in BOOKKEEPING:
            continue
        table, fields = model._meta.table_name, model._meta.fields
        version = "SUM(version)" if "version" in fields else "0"
        key = model._meta.primary_key.column_name
        parts.append(f"SELECT '{table}', COUNT(*), MAX({key}), {version} FROM \"{table}\"")
    counts = {row[0]: tuple(row[1:]) for row in database.execute_sql(" UNION ALL ".join(parts))}
    from portal.settings import Settings
    counts["settings row"] = tuple(sorted((k, str(v)) for k, v in Settings.select()
                                          .dicts().get().items()))
    return counts


def changed(before, after):
    """The tables whose rows differ, for the failure message."""
    return [name for name in before if before[name] != after.get(name)]
