"""Payments against an invoice and the refund workflow: request -> approve/reject -> processed.
Money is integer minor units throughout; refunds never exceed what was paid."""
import html as html_lib
import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from portal.audit import AuditEvent
from portal.billing import refunds
from portal.billing.invoices import invoice_summary, open_invoice
from portal.billing.models import Payment, Refund
from portal.billing.money import tax_on
from portal.billing.payments import record_payment
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.support.cancelling import HX
from tests.support.forms import csrf_from, login


def words(response):
    raw = html_lib.unescape(response.get_data(as_text=True))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", raw))


@pytest.fixture
def admin(world):
    return Actor("admin", world.admin.id, world.admin.name)


@pytest.fixture
def invoice(world):
    return open_invoice(world.upcoming, world.service, world.settings)  # $90.00, no tax


def page_url(world):
    return f"/admin/bookings/{world.upcoming.ref}"


def post(client, world, url, headers=None, **data):
    token = csrf_from(client.get(page_url(world)).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, headers=headers or {})


def events(subject_type, subject_id=None):
    query = AuditEvent.select().where(AuditEvent.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(AuditEvent.subject_id == subject_id)
    return [e.action for e in query.order_by(AuditEvent.id)]


def paid(invoice_id, amount, admin):
    record_payment(invoice_id, amount, "card", "ch_1", admin)


# --- Payments ------------------------------------------------------------------------------

def test_recording_a_payment_redirects_and_the_invoice_shows_paid_and_balance(
        admin_client, world, invoice):
    response = post(admin_client, world, f"/admin/invoices/{invoice.id}/payments",
                    amount="30.50", method="bank_transfer", reference="TRX-9")
    assert response.status_code == 302 and f"#invoice-{world.upcoming.ref}" in response.location
    [payment] = Payment.select()
    assert (payment.amount, payment.method, payment.reference, payment.recorded_by_label) == (
        3050, "bank_transfer", "TRX-9", world.admin.name)
    page = words(admin_client.get(page_url(world)))
    assert "Payment recorded." in page
    assert "Total $90.00" in page and "Paid $30.50" in page and "Balance $59.50" in page
    assert "Bank transfer TRX-9 Ada Admin $30.50" in page
    [event] = AuditEvent.select().where(AuditEvent.subject_type == "invoice")
    assert (event.subject_id, event.action, event.actor_kind, event.channel) == (
        invoice.id, "payment_recorded", "admin", "admin")
    assert event.after_data["amount"] == 3050 and event.after_data["overpaid_by"] == 0


def test_htmx_swaps_the_invoice_in_place(admin_client, world, invoice):
    response = post(admin_client, world, f"/admin/invoices/{invoice.id}/payments", headers=HX,
                    amount="90", method="cash")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.vary
    assert f'id="invoice-{world.upcoming.ref}"' in html
    assert "<html" not in html and "Balance $0.00" in words(response)
    assert "invoiceChanged" in response.headers["HX-Trigger"]


@pytest.mark.parametrize("amount,method", [("-1", "card"), ("abc", "card"), ("0", "card"),
                                           ("2,000,000", "card"), ("1000000.01", "cash"),
                                           ("", "card"), ("10", "cheque"), ("10", "")])
def test_a_bad_payment_is_422_and_saves_nothing(admin_client, world, invoice, amount, method):
    response = post(admin_client, world, f"/admin/invoices/{invoice.id}/payments",
                    amount=amount, method=method)
    assert response.status_code == 422
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
    assert not Payment.select().exists() and events("invoice") == []


def test_a_payment_at_the_limit_and_an_overpayment_are_allowed_and_audited(invoice, admin):
    record_payment(invoice.id, 100_000_000, "other", "", admin)
    [event] = AuditEvent.select().where(AuditEvent.subject_type == "invoice")
    assert event.after_data["overpaid_by"] == 100_000_000 - 9000 and "Overpaid" in event.note
    with pytest.raises(InvalidInput):
        record_payment(invoice.id, 100_000_001, "card", "", admin)
    with pytest.raises(InvalidInput):
        record_payment(invoice.id, 10, "card", "x" * 121, admin)


def test_only_admins_record_payments_and_the_invoice_must_exist(world, invoice, admin):
    with pytest.raises(Forbidden):
        record_payment(invoice.id, 100, "card", "", Actor("fieldworker", world.fw.id, "Fred"))
    with pytest.raises(NotFound):
        record_payment(invoice.id + 99, 100, "card", "", admin)


def test_balance_counts_processed_refunds_and_tax(world, admin):
    world.settings.tax_rate_bp = 825
    invoice = open_invoice(world.later, world.service, world.settings)
    paid(invoice.id, 5000, admin)
    refund = refunds.request_refund(invoice.id, 1000, "", admin, channel="admin")
    refunds.approve_refund(refund.id, admin)
    summary = invoice_summary(world.later, world.settings)
    assert (summary.total, summary.paid, summary.refunded, summary.refund_pending) == (
        9000 + tax_on(9000, 825), 5000, 0, 1000)
    refunds.mark_processed(refund.id, admin, "RF-1")
    summary = invoice_summary(world.later, world.settings)
    assert (summary.refunded, summary.refund_pending, summary.balance) == (
        1000, 0, 9000 + 743 - 5000 + 1000)


# --- The refund workflow -------------------------------------------------------------------

def test_request_approve_process_each_step_versioned_and_audited(invoice, admin):
    paid(invoice.id, 9000, admin)
    refund = refunds.request_refund(invoice.id, 4000, "Partly unhappy", admin, channel="admin")
    assert (refund.status, refund.version, refunds.refundable(invoice.id)) == (
        "requested", 1, 5000)
    refund = refunds.approve_refund(refund.id, admin, "OK", expected_version=1)
    assert (refund.status, refund.version, refund.decision_note) == ("approved", 2, "OK")
    refund = refunds.mark_processed(refund.id, admin, "RF-77", expected_version=2)
    assert (refund.status, refund.version, refund.processed_reference) == ("processed", 3,
                                                                            "RF-77")
    assert refund.processed_at is not None and refund.decided_by_label == admin.label
    assert events("refund", refund.id) == ["refund_requested", "refund_approved",
                                           "refund_processed"]
    last = AuditEvent.select().order_by(AuditEvent.id.desc()).get()
    assert (last.before_data, last.after_data["status"]) == (
        {"status": "approved", "version": 2}, "processed")


def test_rejecting_needs_a_note_and_frees_the_amount_again(invoice, admin):
    paid(invoice.id, 9000, admin)
    refund = refunds.request_refund(invoice.id, 9000, "", admin, channel="admin")
    assert refunds.refundable(invoice.id) == 0
    with pytest.raises(InvalidInput):
        refunds.reject_refund(refund.id, admin, "  ")
    refund = refunds.reject_refund(refund.id, admin, "Used the service")
    assert refund.status == "rejected" and refunds.refundable(invoice.id) == 9000
    assert events("refund", refund.id) == ["refund_requested", "refund_rejected"]


@pytest.mark.parametrize("amount", [0, -5, 9001])
def test_a_request_must_be_within_what_is_refundable(invoice, admin, amount):
    paid(invoice.id, 9000, admin)
    with pytest.raises(InvalidInput):
        refunds.request_refund(invoice.id, amount, "", admin, channel="admin")
    assert not Refund.select().exists()


def test_requests_count_pending_ones_and_an_unpaid_invoice_refunds_nothing(invoice, admin):
    with pytest.raises(InvalidInput, match="nothing left"):
        refunds.request_refund(invoice.id, 1, "", admin, channel="admin")
    paid(invoice.id, 9000, admin)
    refunds.request_refund(invoice.id, 6000, "", admin, channel="admin")
    with pytest.raises(InvalidInput, match=r"at most \$30.00"):
        refunds.request_refund(invoice.id, 3001, "", admin, channel="admin")
    refunds.request_refund(invoice.id, 3000, "", admin, channel="admin")


@pytest.mark.parametrize("path,step", [
    (["approve"], "reject"), (["approve"], "approve"), (["reject"], "approve"),
    (["reject"], "process"), ([], "process"), (["approve", "process"], "approve"),
    (["approve", "process"], "reject"), (["approve", "process"], "process")])
def test_illegal_transitions_are_conflicts_and_change_nothing(invoice, admin, path, step):
    paid(invoice.id, 9000, admin)
    refund = refunds.request_refund(invoice.id, 1000, "", admin, channel="admin")
    run = {"approve": lambda: refunds.approve_refund(refund.id, admin),
           "reject": lambda: refunds.reject_refund(refund.id, admin, "no"),
           "process": lambda: refunds.mark_processed(refund.id, admin, "RF")}
    for done in path:
        run[done]()
    before = Refund.get_by_id(refund.id).__data__, AuditEvent.select().count()
    with pytest.raises(Conflict, match="only a"):
        run[step]()
    assert (Refund.get_by_id(refund.id).__data__, AuditEvent.select().count()) == before


def test_a_stale_version_is_a_conflict(invoice, admin):
    paid(invoice.id, 9000, admin)
    refund = refunds.request_refund(invoice.id, 1000, "", admin, channel="admin")
    with pytest.raises(Conflict, match="changed since"):
        refunds.approve_refund(refund.id, admin, expected_version=2)


def test_approval_never_takes_approved_and_processed_past_paid(invoice, admin):
    """Requests made within what was refundable can't add up past it, but rows written some
    other way (an import, a hand edit) must still be stopped at the decision."""
    paid(invoice.id, 9000, admin)
    first, second = (Refund.create(invoice=invoice.id, amount=6000, requested_by_kind="admin")
                     for _ in range(2))
    refunds.approve_refund(first.id, admin)
    with pytest.raises(Conflict, match="more than was paid"):
        refunds.approve_refund(second.id, admin)
    assert Refund.get_by_id(second.id).status == "requested"


def test_only_admins_decide(world, invoice, admin):
    paid(invoice.id, 9000, admin)
    refund = refunds.request_refund(invoice.id, 1000, "", admin, channel="admin")
    for actor in (Actor("fieldworker", world.fw.id, "Fred"),
                  Actor("customer", world.customer.id, "Casey")):
        for decide in (refunds.approve_refund, refunds.mark_processed):
            with pytest.raises(Forbidden):
                decide(refund.id, actor, "x")
        with pytest.raises(Forbidden):
            refunds.reject_refund(refund.id, actor, "x")
    with pytest.raises(Forbidden):
        refunds.request_refund(invoice.id, 100, "", Actor("fieldworker", world.fw.id, "Fred"),
                               channel="fieldworker")


def test_a_customer_requests_for_their_own_invoice_only(world, invoice, admin):
    paid(invoice.id, 9000, admin)
    casey = Actor("customer", world.customer.id, world.customer.name)
    refund = refunds.request_refund(invoice.id, 2500, "Cancelled", casey, channel="portal")
    assert (refund.requested_by_kind, refund.requested_by_id) == ("customer", world.customer.id)
    event = AuditEvent.get(AuditEvent.subject_type == "refund")
    assert (event.channel, event.actor_kind, event.note) == ("portal", "customer", "Cancelled")
    olive = Actor("customer", world.other.id, world.other.name)
    with pytest.raises(NotFound):
        refunds.request_refund(invoice.id, 100, "", olive, channel="portal")
    assert Refund.select().count() == 1


# --- Through the web -----------------------------------------------------------------------

def test_admin_requests_approves_and_processes_from_the_booking_page(admin_client, world,
                                                                    invoice, admin):
    paid(invoice.id, 9000, admin)
    response = post(admin_client, world, f"/admin/invoices/{invoice.id}/refunds",
                    amount="20", reason="Late arrival")
    assert response.status_code == 302
    refund = Refund.get()
    assert (refund.amount, refund.reason, refund.status) == (2000, "Late arrival", "requested")
    page = words(admin_client.get(page_url(world)))
    assert "$20.00 Requested" in page and "Approve" in page and "Reject" in page
    response = post(admin_client, world, f"/admin/refunds/{refund.id}/approve", headers=HX,
                    version="1", note="Fine")
    assert response.status_code == 200 and "$20.00 Approved" in words(response)
    assert "Mark processed" in words(response)
    response = post(admin_client, world, f"/admin/refunds/{refund.id}/process",
                    version="2", reference="RF-1")
    assert response.status_code == 302
    page = words(admin_client.get(page_url(world)))
    assert "Refunded $20.00" in page and "Balance $20.00" in page and "RF-1" in page


@pytest.mark.parametrize("step,data,status", [
    ("reject", {"version": "1", "note": ""}, 422),
    ("process", {"version": "1", "reference": "RF"}, 409),
    ("approve", {"version": "7"}, 409),
    ("approve", {"version": "1", "note": "x" * 256}, 422)])
def test_web_refusals_say_why_and_change_nothing(admin_client, world, invoice, admin, step,
                                                 data, status):
    paid(invoice.id, 9000, admin)
    refund = refunds.request_refund(invoice.id, 1000, "", admin, channel="admin")
    response = post(admin_client, world, f"/admin/refunds/{refund.id}/{step}", **data)
    assert response.status_code == status
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
    assert Refund.get_by_id(refund.id).status == "requested"
    assert events("refund") == ["refund_requested"]


def test_a_refund_over_refundable_from_the_web_is_422(admin_client, world, invoice, admin):
    paid(invoice.id, 1000, admin)
    response = post(admin_client, world, f"/admin/invoices/{invoice.id}/refunds", headers=HX,
                    amount="10.01")
    assert response.status_code == 422 and "at most $10.00" in words(response)
    assert not Refund.select().exists()


def test_unknown_invoice_or_refund_is_404(admin_client, world):
    assert post(admin_client, world, "/admin/invoices/999/payments", amount="1",
                method="card").status_code == 404
    assert post(admin_client, world, "/admin/refunds/999/approve").status_code == 404


def test_non_admins_get_403_and_no_forms(client, world, invoice, admin):
    paid(invoice.id, 9000, admin)
    refund = refunds.request_refund(invoice.id, 1000, "", admin, channel="admin")
    login(client, world.fw.email)
    token = csrf_from(client.get("/fieldworker/jobs").get_data(as_text=True))
    for url in (f"/admin/invoices/{invoice.id}/payments", f"/admin/refunds/{refund.id}/approve",
                f"/admin/invoices/{invoice.id}/refunds"):
        assert client.post(url, data={"csrf_token": token, "amount": "1", "method": "card",
                                      "version": "1"}).status_code == 403
    assert client.get("/admin/refunds").status_code == 403
    assert Payment.select().count() == 1 and Refund.get().status == "requested"


# --- Property: integer money, no drift, never past what was paid ---------------------------

STEPS = st.lists(st.one_of(
    st.tuples(st.just("pay"), st.integers(1, 50_000)),
    st.tuples(st.just("ask"), st.integers(1, 60_000)),
    st.tuples(st.just("ask_pct"), st.integers(1, 10_000)),  # basis points of what is left
    st.tuples(st.sampled_from(["approve", "reject", "process"]), st.integers(0, 20)),
    st.tuples(st.just("forge"), st.integers(1, 60_000)),  # a row that skipped the request check
), max_size=25)


@hsettings(max_examples=40, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_any_sequence_keeps_refunds_within_paid_with_exact_integers(world, admin, steps):
    Refund.delete().execute()
    Payment.delete().execute()
    invoice = open_invoice(world.upcoming, world.service, world.settings)
    for kind, value in steps:
        try:
            if kind == "pay":
                record_payment(invoice.id, value, "card", "", admin)
            elif kind in ("ask", "ask_pct"):
                left = refunds.refundable(invoice.id)
                amount = value if kind == "ask" else (left * value) // 10_000  # floor: no drift
                refunds.request_refund(invoice.id, amount, "", admin, channel="admin")
            elif kind == "forge":
                Refund.create(invoice=invoice.id, amount=value, requested_by_kind="admin")
            else:
                ids = [r.id for r in Refund.select().order_by(Refund.id)]
                if ids:
                    rid = ids[value % len(ids)]
                    {"approve": lambda: refunds.approve_refund(rid, admin),
                     "reject": lambda: refunds.reject_refund(rid, admin, "no"),
                     "process": lambda: refunds.mark_processed(rid, admin, "RF")}[kind]()
        except (InvalidInput, Conflict):
            pass
        summary = invoice_summary(world.upcoming, world.settings)
        committed = sum(r.amount for r in Refund.select()
                        if r.status in ("approved", "processed"))
        assert committed <= summary.paid
        assert all(isinstance(x, int) for x in (summary.paid, summary.refunded,
                                                summary.refund_pending, summary.balance))
        assert summary.balance == summary.total - summary.paid + summary.refunded
        assert summary.paid == sum(p.amount for p in Payment.select())


@given(price=st.integers(0, 100_000_000), rate=st.integers(0, 10_000),
       parts=st.lists(st.integers(1, 10_000), min_size=1, max_size=8))
def test_percentage_splits_of_a_fee_add_back_up_exactly(price, rate, parts):
    """A fee as a percentage (integer basis points, half-up) and partial refunds of it in
    integer shares: the shares always add up to the whole, never a cent more or less."""
    fee = tax_on(price, rate)  # the same half-up basis-point rounding fees use
    assert 0 <= fee <= price and isinstance(fee, int)
    weights = sum(parts)
    shares = [fee * p // weights for p in parts]
    shares[-1] += fee - sum(shares)  # the remainder goes to the last share, not lost
    assert sum(shares) == fee and all(s >= 0 for s in shares)


# --- The queue ------------------------------------------------------------------------------

@pytest.fixture
def queue(world, admin):
    """Refunds on three bookings in each status; Olive's was asked for 40 days ago."""
    made = {}
    for b, amounts in ((world.upcoming, (1000, 2000, 3000, 500)),
                       (world.others, (700,)), (world.later, (400,))):
        invoice = open_invoice(b, world.service, world.settings)
        paid(invoice.id, 9000, admin)
        for amount in amounts:
            made[(b.ref, amount)] = refunds.request_refund(invoice.id, amount, "", admin,
                                                           channel="admin")
    refunds.approve_refund(made[(world.upcoming.ref, 2000)].id, admin)
    done = refunds.approve_refund(made[(world.upcoming.ref, 3000)].id, admin)
    refunds.mark_processed(done.id, admin, "RF-3")
    refunds.reject_refund(made[(world.upcoming.ref, 500)].id, admin, "No")
    Refund.update(requested_at=utcnow() - timedelta(days=40)).where(
        Refund.id == made[(world.others.ref, 700)].id).execute()
    return made


def totals(response):
    found = re.findall(r'data-status="(\w+)">.*?<strong>([^<]+)</strong>\s*<small>(\d+)',
                       response.get_data(as_text=True), re.S)
    return {status: (amount, int(count)) for status, amount, count in found}


def test_the_queue_opens_on_requests_with_totals_per_status(admin_client, world, queue):
    response = admin_client.get("/admin/refunds")
    assert response.status_code == 200
    assert totals(response) == {"requested": ("$21.00", 3), "approved": ("$20.00", 1),
                                "processed": ("$30.00", 1), "rejected": ("$5.00", 1)}
    text = words(response)
    assert "Showing 1–3 of 3" in text and "Olive Other" in text
    assert world.upcoming.ref in text and "RF-3" not in text


@pytest.mark.parametrize("args,shown", [
    ("status=processed", {"RF-3"}), ("status=all", 6), ("status=rejected", 1),
    ("status=all&q=olive", 1), ("status=all&q={later}", 1)])
def test_the_queue_filters(admin_client, world, queue, args, shown):
    response = admin_client.get("/admin/refunds?" + args.format(later=world.later.ref.lower()))
    rows = re.findall(r'id="queue-refund-\d+"', response.get_data(as_text=True))
    if isinstance(shown, set):
        assert len(rows) == 1 and shown.pop() in words(response)
    else:
        assert len(rows) == shown


def test_dates_narrow_rows_and_totals_and_htmx_gets_the_table(admin_client, world, queue):
    today = utcnow().date()
    url = f"/admin/refunds?status=all&from={(today - timedelta(days=45)).isoformat()}" \
          f"&to={(today - timedelta(days=35)).isoformat()}"
    response = admin_client.get(url, headers=HX)
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="refunds-table"' in html
    assert "HX-Request" in response.vary and "status=all" in response.headers["HX-Push-Url"]
    assert len(re.findall(r'id="queue-refund-\d+"', html)) == 1 and "Olive Other" in html
    assert totals(response)["requested"] == ("$7.00", 1)
    assert totals(response)["processed"] == ("$0.00", 0)


def test_bad_queue_args_become_notes(admin_client, queue):
    text = words(admin_client.get("/admin/refunds?status=bogus&from=nope&page=x"))
    assert "is not a refund status" in text and "is not a date" in text
    assert "is not a page number" in text and "Showing 1–3 of 3" in text
