"""Admin > Activity (every audit event, filtered and paged), the booking and order timelines,
and audit events being append-only in Python and in the database."""
import html as html_lib
import importlib.util
import re
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from peewee import IntegrityError

from portal import audit
from portal.audit import AuditEvent, AppendOnlyError, record
from portal.audit.text import changes
from portal.billing.invoices import open_invoice
from portal.billing.payments import record_payment
from portal.billing.refunds import approve_refund, request_refund
from portal.bookings.services import cancel_booking
from portal.kernel.actors import SYSTEM, Actor
from portal.kernel.db import database
from portal.kernel.migrate import MIGRATIONS
from portal.orders.models import Product
from portal.orders.services import cancel_order, place_order
from portal.people.staff import set_can_edit_booking_status
from portal.settings.portal import add_fee_tier, add_reason
from tests.support.forms import login, logout
from tests.support.queries import queries_for

HX = {"HX-Request": "true"}
ROOT = Path(__file__).resolve().parents[2]


def words(response):
    """The page's text as a person reads it: tags gone, entities decoded, spaces collapsed."""
    raw = html_lib.unescape(response.get_data(as_text=True))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", raw))


def rows(response):
    """The table's rows, top to bottom, each as its text."""
    body = response.get_data(as_text=True)
    return [re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", row))).strip()
            for row in re.findall(r'<tr id="event-\d+">(.*?)</tr>', body, re.S)]


@pytest.fixture
def history(world):
    """One of everything, through the real services, oldest first."""
    admin = Actor("admin", world.admin.id, world.admin.name)
    casey = Actor("customer", world.customer.id, world.customer.name)
    cancel_booking(world.upcoming.ref, admin, channel="admin", note="Customer phoned")
    invoice = open_invoice(world.later, world.service, world.settings)
    record_payment(invoice.id, 9000, "card", "ch_1", admin)
    refund = request_refund(invoice.id, 4500, "Goodwill", admin, channel="admin")
    approve_refund(refund.id, admin, note="Fine by me")
    spray = Product.create(name="Spray", price=850, stock=5)
    order = place_order(world.customer.id, [(spray.id, 2)], casey)
    record_payment(order.invoice_id, 1700, "cash", "", admin)
    order = cancel_order(order.ref, casey, channel="portal", note="Changed my mind")
    set_can_edit_booking_status(world.fw2.id, True, admin)
    reason = add_reason("Moving house", admin)
    add_fee_tier(24, "flat", 1500, admin)
    record("booking", world.past.id, "completed", SYSTEM, "system",
           before={"status": "scheduled"}, after={"status": "completed"})
    record("booking", world.soon.id, "cancelled", Actor("integration", 7, "Clinic PMS"),
           "integration", before={"status": "scheduled"}, after={"status": "cancelled"})
    return SimpleNamespace(invoice=invoice, refund=refund, order=order, reason=reason)


# The page

def test_lists_every_event_newest_first_with_who_how_what_and_links(admin_client, world,
                                                                    history):
    response = admin_client.get("/admin/activity")
    assert response.status_code == 200
    shown = [row.split(" EST ", 1)[1] for row in rows(response)]  # after the time
    assert len(shown) == AuditEvent.select().count() == 13
    assert "Showing 1–13 of 13 events" in words(response)
    order, later, refund = history.order.ref, world.later.ref, history.refund.id
    assert shown == [
        f"Clinic PMS integration Integration Cancelled {world.soon.ref} scheduled → cancelled",
        f"Rebook system System Completed {world.past.ref} scheduled → completed",
        "Ada Admin admin Admin Late-fee tier added Late-fee tiers amount: $15.00 · kind: flat "
        "· under hours: 24",
        "Ada Admin admin Admin Reason added Moving house label: Moving house",
        "Ada Admin admin Admin Status permission changed Gina Helper may change status: no → yes",
        f"Casey Customer customer Customer portal Refund requested Refund #{refund + 1} of {order} "
        f"requested · amount: $17.00 “Cancelled order {order}”",
        f"Casey Customer customer Customer portal Cancelled {order} placed → cancelled · refund "
        "requested: $17.00 “Changed my mind”",
        f"Ada Admin admin Admin Payment recorded Invoice of {order} amount: $17.00 · balance: "
        "$0.00 · method: cash · paid: $17.00",
        f"Casey Customer customer Customer portal Order placed {order} placed · total: $17.00",
        f"Ada Admin admin Admin Refund approved Refund #{refund} of {later} requested → approved"
        " · amount: $45.00 “Fine by me”",
        f"Ada Admin admin Admin Refund requested Refund #{refund} of {later} requested · amount:"
        " $45.00 “Goodwill”",
        f"Ada Admin admin Admin Payment recorded Invoice of {later} amount: $90.00 · balance: "
        "$0.00 · method: card · paid: $90.00 · reference: ch_1",
        f"Ada Admin admin Admin Cancelled {world.upcoming.ref} scheduled → cancelled "
        "“Customer phoned”",
    ]
    body = response.get_data(as_text=True)
    for url, text in ((f"/admin/bookings/{world.upcoming.ref}", world.upcoming.ref),
                      (f"/admin/bookings/{later}", f"Invoice of {later}"),
                      (f"/admin/bookings/{later}", f"Refund #{refund} of {later}"),
                      (f"/admin/orders/{order}", order), ("/admin/staff", "Gina Helper"),
                      ("/admin/settings/portal", "Moving house"),
                      ("/admin/settings/fees", "Late-fee tiers")):
        assert f'<a href="{url}">{text}</a>' in body, (url, text)


def test_the_selects_offer_staff_groups_and_the_recorded_actions_by_name(admin_client, world,
                                                                        history):
    body = admin_client.get("/admin/activity").get_data(as_text=True)
    actor = body[body.index('id="activity-actor"'):body.index("</select>",
                                                              body.index('id="activity-actor"'))]
    for label in ("Everyone", "All staff", "Customers", "System", "Integrations",
                  f'value="{world.fw2.id}">Gina Helper (fieldworker)'):
        assert label in actor
    action = body[body.index('id="activity-action"'):]
    action = action[:action.index("</select>")]
    assert '<option value="refund_approved">Refund approved</option>' in action
    assert '<option value="cancelled">Cancelled</option>' in action
    assert "staff_added" not in action  # only actions that happened


def test_empty_log_says_so(admin_client):
    assert "Nothing has happened yet." in words(admin_client.get("/admin/activity"))


# Filters

def test_a_booking_reference_shows_its_events_and_its_invoice_and_refund_events(
        admin_client, world, history):
    for typed in (world.later.ref, f"  {world.later.ref.lower()} "):
        shown = rows(admin_client.get("/admin/activity", query_string={"q": typed}))
        assert [r.split(" admin Admin ")[1].split(" of ")[0] for r in shown] == [
            "Refund approved Refund #%d" % history.refund.id,
            "Refund requested Refund #%d" % history.refund.id, "Payment recorded Invoice"]
    shown = rows(admin_client.get(f"/admin/activity?q={world.upcoming.ref}"))
    assert len(shown) == 1 and "Customer phoned" in shown[0]


def test_an_order_reference_shows_the_order_with_its_payment_and_refund(admin_client,
                                                                       history):
    shown = rows(admin_client.get(f"/admin/activity?q={history.order.ref}"))
    assert [re.search(r"(Refund requested|Cancelled|Payment recorded|Order placed)", r)[0]
            for r in shown] == ["Refund requested", "Cancelled", "Payment recorded",
                                "Order placed"]


@pytest.mark.parametrize("actor,expected", [
    ("customers", {"Order placed", "Cancelled", "Refund requested"}),
    ("system", {"Completed"}),
    ("integrations", {"Cancelled"}),
])
def test_actor_groups(admin_client, history, actor, expected):
    shown = rows(admin_client.get(f"/admin/activity?actor={actor}"))
    kind = {"customers": "customer", "system": "system", "integrations": "integration"}[actor]
    assert shown and all(f" {kind} " in r for r in shown)
    assert {label for label in expected if any(label in r for r in shown)} == expected


def test_one_staff_member_or_all_staff(admin_client, world, history):
    assert len(rows(admin_client.get(f"/admin/activity?actor={world.admin.id}"))) == 8
    assert len(rows(admin_client.get("/admin/activity?actor=staff"))) == 8
    response = admin_client.get(f"/admin/activity?actor={world.fw.id}")
    assert rows(response) == [] and "No activity matches these filters." in words(response)


def test_action_filter_and_filters_combined(admin_client, world, history):
    cancelled = rows(admin_client.get("/admin/activity?action=cancelled"))
    assert len(cancelled) == 3 and all("Cancelled" in r for r in cancelled)
    both = rows(admin_client.get("/admin/activity?action=cancelled&actor=customers"))
    assert len(both) == 1 and history.order.ref in both[0]
    three = rows(admin_client.get(
        f"/admin/activity?action=cancelled&actor=customers&q={world.upcoming.ref}"))
    assert three == []


def test_date_range_is_in_the_business_timezone(admin_client, world):
    # New York: 03:30 UTC on 10 March 2026 is 23:30 on the 9th (EDT, UTC-4).
    late = record("booking", world.past.id, "completed", SYSTEM, "system",
                  at=datetime(2026, 3, 10, 3, 30))
    record("booking", world.past.id, "no_show", SYSTEM, "system",
           at=datetime(2026, 3, 10, 4, 30))
    on_9th = rows(admin_client.get("/admin/activity?from=2026-03-09&to=2026-03-09"))
    assert len(on_9th) == 1 and "Completed" in on_9th[0] and "Mon 9 Mar 2026" in on_9th[0]
    on_10th = rows(admin_client.get("/admin/activity?from=2026-03-10"))
    assert len(on_10th) == 1 and "Marked no-show" in on_10th[0]
    assert late.created_at.day == 10  # stored in UTC, shown and filtered in local days


@pytest.mark.parametrize("query,note", [
    ("q=hello", "“hello” is not a booking or order reference"),
    ("actor=the-boss", "“the-boss” is not someone in the list; showing everyone."),
    ("actor=99999999999", "is not someone in the list"),
    ("action=DROP%20TABLE", "“DROP TABLE” is not an action; showing every action."),
    ("from=2026-02-31", "“2026-02-31” is not a date; showing all dates from the start."),
    ("to=banana", "“banana” is not a date"),
    ("per=7", "“7” is not a page size; showing 25 a page."),
    ("page=-1", "“-1” is not a page number; showing page 1."),
    ("page=40", "There is no page 40; showing page 1, the last."),
    ("q=" + "B" * 500, "Searches are limited to 100 characters"),
])
def test_bad_values_become_a_note_and_everything_is_shown(admin_client, history, query, note):
    response = admin_client.get(f"/admin/activity?{query}")
    assert response.status_code == 200
    assert note in words(response)
    assert len(rows(response)) == 13


def test_an_unknown_reference_is_a_note_and_no_rows(admin_client, history):
    response = admin_client.get("/admin/activity?q=BK-ZZZZZZ")
    assert response.status_code == 200 and rows(response) == []
    assert "No booking or order has the reference “BK-ZZZZZZ”." in words(response)


def test_dates_the_wrong_way_round_are_swapped(admin_client, history):
    response = admin_client.get("/admin/activity?from=2099-01-01&to=2000-01-01")
    assert "are swapped" in words(response) and len(rows(response)) == 13


# Paging and htmx

def test_pages_of_25_or_50_with_a_count(admin_client, world):
    for n in range(60):
        record("booking", world.past.id, "completed", SYSTEM, "system",
               at=datetime(2026, 1, 1) + timedelta(minutes=n), note=f"n{n}")
    first = admin_client.get("/admin/activity")
    assert len(rows(first)) == 25 and "Showing 1–25 of 60 events" in words(first)
    assert "“n59”" in rows(first)[0] and "“n35”" in rows(first)[-1]
    last = admin_client.get("/admin/activity?page=3")
    assert len(rows(last)) == 10 and "Showing 51–60 of 60" in words(last)
    fifty = admin_client.get("/admin/activity?per=50&page=2")
    assert len(rows(fifty)) == 10 and "“n9”" in rows(fifty)[0]
    body = fifty.get_data(as_text=True)
    assert 'href="/admin/activity?per=50"' in body  # the previous page keeps the page size


def test_htmx_gets_the_table_and_the_short_url_of_what_is_shown(admin_client, world, history):
    response = admin_client.get(
        "/admin/activity?q=&actor=customers&action=&from=&to=&per=25&page=9", headers=HX)
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="activity-table"')
    assert "<html" not in body and "activity-filters" not in body
    assert response.headers["HX-Push-Url"] == "/admin/activity?actor=customers"
    assert "HX-Request" in response.headers["Vary"]


def test_queries_stay_constant_as_events_grow(admin_client, world, history):
    def one_of_each():
        for kind, subject_id in (("booking", world.later.id), ("order", history.order.id),
                                 ("invoice", history.invoice.id), ("refund", history.refund.id),
                                 ("staff", world.fw.id), ("reason", history.reason.id),
                                 ("customer", world.customer.id), ("integration", 1),
                                 ("settings", world.settings.id)):
            record(kind, subject_id, "touched", SYSTEM, "system")

    urls = ["/admin/activity", "/admin/activity?per=50&page=2",
            f"/admin/activity?q={world.later.ref}", f"/admin/activity?q={history.order.ref}",
            f"/admin/activity?actor={world.admin.id}&action=cancelled&from=2020-01-01",
            f"/admin/bookings/{world.later.ref}", f"/admin/orders/{history.order.ref}"]
    one_of_each()
    before = {url: queries_for(admin_client, url) for url in urls}
    for _ in range(40):
        one_of_each()
        record_payment(history.invoice.id, 100, "cash", "", Actor("admin", world.admin.id))
    after = {url: queries_for(admin_client, url) for url in urls}
    assert before == after
    assert after["/admin/activity"] <= 16, after


@pytest.mark.parametrize("before,after,expected", [
    ({"status": "scheduled", "version": 1},
     {"status": "cancelled", "version": 2, "reason": None, "fee": None, "late_fee": False},
     [("", "scheduled", "cancelled", "text")]),
    ({}, {"amount": 4500, "balance": 0, "overpaid_by": 0, "payment_id": 3},
     [("amount", None, 4500, "money"), ("balance", None, 0, "money")]),
    ({"starts_at": "2026-01-02 15:00:00", "staff": ["Fred"]},
     {"starts_at": "2026-01-03 15:00:00", "staff": ["Fred", "Gina"]},
     [("starts", datetime(2026, 1, 2, 15), datetime(2026, 1, 3, 15), "time"),
      ("fieldworkers", "Fred", "Fred, Gina", "text")]),
    ({"owner": "business", "hours": {"Mon": "9–5", "Tue": "9–5"}},
     {"owner": "business", "hours": {"Mon": "9–5", "Tue": "closed"}},
     [("for", None, "business", "text"), ("hours Tue", "9–5", "closed", "text")]),
    ({"under_hours": 24, "kind": "percent", "amount": 5000}, {},
     [("amount", None, 5000, "rate"), ("kind", None, "percent", "text"),
      ("under hours", None, "24", "text")]),
    ({"reschedule_notice_hours": None, "customers_may_cancel": True},
     {"reschedule_notice_hours": 12, "customers_may_cancel": False},
     [("customers may cancel", "yes", "no", "text"),
      ("reschedule notice hours", "—", "12", "text")]),
    ({}, {"status": "scheduled", "staff": [4, 5], "note": "x" * 80},
     [("", None, "scheduled", "text"), ("note", None, "x" * 60 + "…", "text")]),
    ({"starts_at": "not a time"}, {"starts_at": "2026-01-03 15:00:00", "amount": "12"},
     [("starts", "not a time", "2026-01-03 15:00:00", "text"), ("amount", None, "12", "text")]),
])
def test_changes_read_compactly(before, after, expected):
    """Status first, bookkeeping and empty values left out, removed facts as one value, and
    money or times only when the stored value really is one (else text, never an error)."""
    assert [tuple(c) for c in changes(before, after)] == expected


# Timelines

def test_booking_timeline_merges_its_invoice_payments_and_refunds_in_order(admin_client,
                                                                          world, history):
    admin = Actor("admin", world.admin.id, world.admin.name)
    cancel_booking(world.later.ref, admin, channel="admin", note="Rain")
    page = words(admin_client.get(f"/admin/bookings/{world.later.ref}"))
    history_text = page[page.index("History"):]
    order = [history_text.index(s) for s in (
        "Payment recorded (Invoice)", f"Refund requested (Refund #{history.refund.id})",
        f"Refund approved (Refund #{history.refund.id})", "Cancelled by Ada Admin")]
    assert order == sorted(order)
    assert "amount: $90.00" in history_text and "requested → approved" in history_text
    other = words(admin_client.get(f"/admin/bookings/{world.upcoming.ref}"))
    assert "Payment recorded" not in other and "Customer phoned" in other


def test_admin_order_page_shows_its_timeline_with_money_and_the_customer_sees_their_own(
        client, world, history):
    login(client, world.admin.email)
    page = words(client.get(f"/admin/orders/{history.order.ref}"))
    staff_view = page[page.index("History"):]
    for text in ("Order placed by Casey Customer (customer)",
                 "Payment recorded (Invoice)",
                 "Cancelled by Casey Customer", "placed → cancelled", "Refund requested (Refund #"):
        assert text in staff_view, text
    logout(client)
    login(client, world.customer.email)
    mine = words(client.get(f"/orders/{history.order.ref}"))
    assert "Cancelled by you" in mine and "Payment recorded" not in mine


# Append-only

def test_the_database_refuses_update_and_delete(world, history):
    event = AuditEvent.select().order_by(AuditEvent.id).first()
    for sql in ("UPDATE audit_event SET note = 'rewritten' WHERE id = %d" % event.id,
                "DELETE FROM audit_event WHERE id = %d" % event.id,
                "DELETE FROM audit_event"):
        with pytest.raises(IntegrityError, match="audit events are append-only"):
            with database.atomic():
                database.execute_sql(sql)
    again = AuditEvent.get_by_id(event.id)
    assert (again.note, again.action) == (event.note, event.action)
    assert AuditEvent.select().count() == 13


def test_the_model_refuses_to_change_or_remove_an_event(world, history):
    event = AuditEvent.select().first()
    event.note = "rewritten"
    for attempt in (event.save, event.delete_instance, lambda: AuditEvent.update(note="x"),
                    AuditEvent.delete, lambda: AuditEvent.delete_by_id(event.id),
                    lambda: AuditEvent.replace(id=event.id),
                    lambda: AuditEvent.bulk_update([event], [AuditEvent.note])):
        with pytest.raises(AppendOnlyError, match="append-only"):
            attempt()
    assert AuditEvent.get_by_id(event.id).note != "rewritten"
    assert record("booking", 1, "created", SYSTEM, "system").id  # appending still works


def test_the_migration_installs_the_same_sql_the_code_describes():
    path = next(MIGRATIONS.glob("0009_*.py"))
    spec = importlib.util.spec_from_file_location("m0009", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.SQLITE_TRIGGERS == audit.SQLITE_TRIGGERS
    assert migration.POSTGRES_FUNCTION == audit.POSTGRES_FUNCTION
    assert migration.POSTGRES_TRIGGER == audit.POSTGRES_TRIGGER
    assert not re.search(r"^\s*(from|import)\s+portal", path.read_text(), re.M)  # frozen


def test_migration_down_lifts_the_guard_and_up_restores_it(make_database_url):
    from playhouse.db_url import connect
    from playhouse.migrations import Runner
    db = connect(make_database_url("rebook_append_only"))
    runner = Runner(db, str(MIGRATIONS))
    runner.up(target="0009_audit_append_only")
    db.execute_sql("INSERT INTO audit_event (subject_type, subject_id, action, actor_kind, "
                   "actor_label, channel, before, after, note, created_at) VALUES ('booking', "
                   "1, 'created', 'system', '', 'system', '{}', '{}', '', '2026-01-01')")
    with pytest.raises(IntegrityError):
        with db.atomic():
            db.execute_sql("UPDATE audit_event SET note = 'x'")
    assert runner.down() == ["0009_audit_append_only"]
    db.execute_sql("UPDATE audit_event SET note = 'x'")
    runner.up(target="0009_audit_append_only")
    with pytest.raises(IntegrityError):
        with db.atomic():
            db.execute_sql("DELETE FROM audit_event")
    db.close()


CHANGES_AUDIT = [
    re.compile(r"AuditEvent\s*\.\s*(update|delete|delete_by_id|set_by_id|bulk_update|replace|"
               r"replace_many|truncate_table|drop_table)\s*\("),
    re.compile(r"(UPDATE|DELETE\s+FROM|TRUNCATE(\s+TABLE)?)\s+[\"']?audit_event\b", re.I),
    re.compile(r"\b(event|audit_event|e)\s*\.\s*(save|delete_instance)\s*\("),
]


def rewrites_history(source):
    return [m.group(0) for pattern in CHANGES_AUDIT for m in pattern.finditer(source)]


def test_no_code_updates_or_deletes_audit_events():
    assert rewrites_history("AuditEvent.update(note='x').execute()")  # the scan can fail
    assert rewrites_history('execute_sql("DELETE FROM audit_event")')
    found = {str(p.relative_to(ROOT)): hits for p in sorted((ROOT / "portal").rglob("*.py"))
             if (hits := rewrites_history(p.read_text()))}
    assert found == {}
