"""Cancelling part of a series: this visit, this and following, or the whole series (what
remains). Each visit is cancelled by services.cancel_booking, as a single booking is, so its
fee, refund and notice window come from policy.py visit by visit; a visit the policy refuses
(inside the notice window, say) stays booked, and the confirm step says so before anyone
confirms. One transaction for the choice: every visit it cancels, or none (a visit that
changed since the page loaded fails the lot with the usual 409). One email to the customer
lists the visits cancelled, with each visit's own calendar cancellation; webhooks, notices,
slot releases and audit events stay per visit, plus one audit event for the series action.
"""
from dataclasses import dataclass

from flask_babel import gettext as _

from .. import audit
from ..billing.fees import fee_tiers
from ..billing.invoices import invoice_summary, summary_of, unissued_summary
from ..billing.models import Invoice, InvoiceLine, Payment, Refund
from ..kernel.actors import Actor
from ..kernel.clock import utcnow
from ..kernel.db import locked, write_transaction
from ..kernel.i18n import N_
from ..kernel.errors import Conflict, InvalidInput, NotFound
from ..messaging import series_emails
from ..people import Customer, Staff
from ..settings import Settings
from .models import SCHEDULED, Assignment, Booking, Service
from .page import booking_page
from .queries import assigned_staff
from .services import STALE, cancel_booking

THIS, FOLLOWING, ALL = "this", "following", "all"
SCOPES = {THIS: N_("This visit"), FOLLOWING: N_("This and following visits"),
          ALL: N_("The whole series (what remains)")}


@dataclass(frozen=True)
class Visit:
    booking: Booking
    verdict: object     # policy.Verdict: may this person cancel it now
    fee: int            # what cancelling adds by itself (a customer's late-cancellation tier)
    refund: int | None  # what would be asked back (None: nothing was paid)


@dataclass(frozen=True)
class Choice:
    scope: str
    label: str
    visits: tuple       # Visit, in time order

    @property
    def cancels(self):
        return [v for v in self.visits if v.verdict]

    @property
    def refused(self):
        return [v for v in self.visits if not v.verdict]

    @property
    def versions(self) -> str:
        """What the form sends back: each visit it would cancel, at the version shown."""
        return " ".join(f"{v.booking.ref}:{v.booking.version}" for v in self.cancels)


def _scope_query(booking, scope, now, lock=False):
    query = (Booking.select(Booking, Service).join(Service)
             .where((Booking.series == booking.series_id) & (Booking.status == SCHEDULED)
                    & (Booking.starts_at > now)))
    if scope == THIS:
        query = query.where(Booking.id == booking.id)
    elif scope == FOLLOWING:
        query = query.where(Booking.starts_at >= booking.starts_at)
    query = query.order_by(Booking.starts_at)
    return locked(query, of=Booking) if lock else query


def _visit(booking, actor, settings, now, tiers, staff=None, invoice=None):
    staff = assigned_staff(booking.id) if staff is None else staff
    invoice = invoice_summary(booking, settings) if invoice is None else invoice
    page = booking_page(booking, staff, actor, settings, now, invoice=invoice, tiers=tiers)
    outcome = page.cancel_refund
    return Visit(booking, page.cancel, page.cancel_fee if page.cancel else 0,
                 outcome.refund if outcome else None)


def _by_booking(rows, key):
    found = {}
    for row in rows:
        found.setdefault(key(row), []).append(row)
    return found


def _visits_read_together(bookings, actor, settings, now):
    """Every visit's verdict, fee and refund in a fixed number of queries (the confirm step
    of a 52-visit series costs what a 2-visit one does): staff, invoices, lines, payments and
    refunds each read once for all of them."""
    ids = [b.id for b in bookings]
    if not ids:
        return {}
    staff = _by_booking(Assignment.select(Assignment, Staff).join(Staff)
                        .where(Assignment.booking.in_(ids)).order_by(Staff.name, Staff.id),
                        lambda a: a.booking_id)
    invoices = {i.booking_id: i for i in Invoice.select().where(Invoice.booking.in_(ids))}
    inv_ids = [i.id for i in invoices.values()]
    lines = _by_booking(InvoiceLine.select().where(InvoiceLine.invoice.in_(inv_ids))
                        .order_by(InvoiceLine.created_at, InvoiceLine.id), lambda r: r.invoice_id)
    paid = _by_booking(Payment.select().where(Payment.invoice.in_(inv_ids))
                       .order_by(Payment.created_at, Payment.id), lambda r: r.invoice_id)
    back = _by_booking(Refund.select().where(Refund.invoice.in_(inv_ids))
                       .order_by(Refund.requested_at, Refund.id), lambda r: r.invoice_id)
    tiers = fee_tiers()
    visits = {}
    for b in bookings:
        invoice = invoices.get(b.id)
        summary = (summary_of(invoice, lines.get(invoice.id, []), paid.get(invoice.id, []),
                              back.get(invoice.id, [])) if invoice
                   else unissued_summary(b, settings))
        visits[b.id] = _visit(b, actor, settings, now, tiers,
                              staff=[a.staff for a in staff.get(b.id, [])], invoice=summary)
    return visits


def choices(booking, actor: Actor, settings, now) -> list[Choice]:
    """What each scope would touch for `actor` now, visit by visit (empty: not in a series)."""
    if booking.series_id is None:
        return []
    visits = _visits_read_together(list(_scope_query(booking, ALL, now)), actor, settings, now)
    every = [visits[key] for key in visits]  # in time order, as read
    return [Choice(scope, label, tuple(v for v in every if _in_scope(v.booking, booking, scope)))
            for scope, label in SCOPES.items()]


def _in_scope(visit, booking, scope):
    if scope == THIS:
        return visit.id == booking.id
    return scope == ALL or visit.starts_at >= booking.starts_at


def _parse_versions(text):
    versions = {}
    for item in (text or "").split():
        ref, _sep, version = item.partition(":")
        if not version.isdigit() or len(version) > 9:
            raise InvalidInput(_("Reload the page and try again."))
        versions[ref] = int(version)
    return versions


def cancel_series(ref, actor: Actor, *, scope, channel, versions, reason_id=None, note="",
                  now=None, settings: Settings | None = None):
    """Cancel the visits `scope` takes from the series of booking `ref`; returns the Choice
    as carried out (its `cancels` cancelled, its `refused` left booked). `versions` is the
    confirm step's "REF:version ..." list: a visit added, gone or changed since fails it."""
    if scope not in (FOLLOWING, ALL):
        raise InvalidInput(_("Choose which visits to cancel."))
    shown = _parse_versions(versions)
    now = now or utcnow()
    with write_transaction():
        settings = settings or Settings.current()
        booking = Booking.get_or_none(Booking.ref == ref)
        if booking is None or booking.series_id is None or (
                actor.is_customer and booking.customer_id != actor.id):
            raise NotFound(_("We couldn't find that booking."))
        rows = list(_scope_query(booking, scope, now, lock=True))
        visits = tuple(_visits_read_together(rows, actor, settings, now).values())
        choice = Choice(scope, SCOPES[scope], visits)
        if {v.booking.ref: v.booking.version for v in choice.cancels} != shown:
            raise Conflict(_(STALE), "stale")
        if not choice.cancels:
            raise Conflict(_("None of these visits can be cancelled now."), "nothing_to_cancel")
        cancelled = []
        for visit in choice.cancels:
            cancelled.append(cancel_booking(visit.booking.ref, actor, channel=channel, reason_id=reason_id,
                           note=note, expected_version=visit.booking.version, now=now,
                           settings=settings, customer_email=False))
        audit.record("series", booking.series_id, f"cancelled_{scope}", actor, channel, at=now,
                     note=note, after={"from": booking.ref,
                                       "cancelled": [v.booking.ref for v in choice.cancels],
                                       "kept": {v.booking.ref: v.verdict.message
                                                for v in choice.refused}})
        customer = Customer.get_by_id(booking.customer_id)
        fees = {v.booking.id: (v.fee, v.refund) for v in choice.cancels}
        series_emails.queue_series_cancelled(booking.series_id, cancelled, fees, choice.refused,
                                             customer, settings)
    return choice
