"""Late-cancellation tiers: set on Settings > Tax & Fees, shown to the customer before they
confirm, charged in the cancel transaction, prefilled for admins."""
import re
from datetime import timedelta

import pytest

from portal.audit import AuditEvent
from portal.billing.models import FeeTier, Invoice, InvoiceLine
from portal.bookings.models import Booking
from portal.messaging.models import OutboxMessage
from tests.support.cancelling import HX
from tests.support.factories import booking
from tests.support.forms import csrf_from, login
from tests.support.pages import text


def words(response):
    """What a person reads: tags dropped, entities decoded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text(response)))


@pytest.fixture
def tiers(world):
    FeeTier.create(under_hours=24, kind="percent", percent_bp=10_000)
    FeeTier.create(under_hours=48, kind="percent", percent_bp=5_000)


@pytest.fixture
def in_two_days(world):
    """A visit 30 hours away: inside the 24-48 h tier."""
    return booking(world.customer, world.service, timedelta(hours=30), world.fw)


def lines(b):
    return [(line.kind, line.description, line.amount) for line in
            InvoiceLine.select().join(Invoice).where(Invoice.booking == b.id)
            .order_by(InvoiceLine.id)]


def cancel(client, url, b, **data):
    page = text(client.get(url))
    return client.post(url, data={"csrf_token": csrf_from(page), "version": b.version, **data})


def test_the_customer_sees_the_fee_before_confirming_and_pays_it(customer_client, world, tiers,
                                                                 in_two_days):
    url = f"/bookings/{in_two_days.ref}/cancel"
    modal = words(customer_client.get(url, headers=HX))
    assert "A late-cancellation fee of $45.00 applies" in modal
    response = cancel(customer_client, url, in_two_days)
    assert response.status_code == 302
    assert lines(in_two_days) == [("service", "Regular clean", 9000),
                                  ("service_cancelled", "Regular clean (cancelled)", -9000),
                                  ("cancellation_fee", "Late-cancellation fee", 4500)]
    event = AuditEvent.get(AuditEvent.action == "cancelled")
    assert (event.after_data["fee"], event.after_data["late_fee"]) == (4500, True)
    notice = OutboxMessage.get(OutboxMessage.to_address == world.customer.email)
    assert "A cancellation fee of $45.00 has been added to your invoice." in notice.body_text


def test_more_notice_than_every_tier_is_free(customer_client, world, tiers):
    url = f"/bookings/{world.upcoming.ref}/cancel"  # three days away
    assert "late-cancellation fee" not in text(customer_client.get(url)).lower()
    assert cancel(customer_client, url, world.upcoming).status_code == 302
    assert [kind for kind, _, _ in lines(world.upcoming)] == ["service", "service_cancelled"]


def test_a_customer_cannot_send_their_own_fee(customer_client, world, tiers, in_two_days):
    response = cancel(customer_client, f"/bookings/{in_two_days.ref}/cancel", in_two_days,
                      add_fee="y", fee="5.00")
    assert response.status_code == 403  # fees are the business's to set, not the form's
    assert Booking.get_by_id(in_two_days.id).status == "scheduled"
    assert lines(in_two_days) == []


def test_the_admin_prompt_is_prefilled_with_the_tier_fee(client, world, tiers, in_two_days):
    login(client, world.admin.email)
    modal = text(client.get(f"/admin/bookings/{in_two_days.ref}/cancel", headers=HX))
    assert 'name="fee"' in modal and 'value="45.00"' in modal
    assert "late-cancellation fee of" not in modal  # the notice is the customer's


def test_the_email_link_shows_and_charges_the_fee(app, client, world, tiers, in_two_days):
    from portal.bookings.links import make_token
    url = f"/l/{make_token(app.config['SECRET_KEY'], 'cancel', in_two_days)}/cancel"
    assert "A late-cancellation fee of $45.00 applies" in words(client.get(url))
    assert cancel(client, url, in_two_days).status_code == 302
    assert lines(in_two_days)[-1] == ("cancellation_fee", "Late-cancellation fee", 4500)


# --- Settings > Tax & Fees > tiers ------------------------------------------------------------

def add_tier(client, **data):
    page = text(client.get("/admin/settings/fees"))
    return client.post("/admin/settings/fees/tiers", data={"csrf_token": csrf_from(page),
                                                           **data})


def test_admin_adds_and_removes_tiers(client, world):
    login(client, world.admin.email)
    assert add_tier(client, under_hours="48", kind="percent", amount="50").status_code == 302
    assert add_tier(client, under_hours="24", kind="flat", amount="$40").status_code == 302
    page = text(client.get("/admin/settings/fees"))
    assert "Less than 24 hours" in page and "$40.00" in page and "50 % of the price" in page
    assert "48 hours or more" in page
    assert {(t.under_hours, t.kind, t.flat_amount, t.percent_bp) for t in FeeTier.select()} == {
        (48, "percent", 0, 5000), (24, "flat", 4000, 0)}
    tier = FeeTier.get(FeeTier.under_hours == 24)
    response = client.post(f"/admin/settings/fees/tiers/{tier.id}/delete",
                           data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302 and FeeTier.select().count() == 1
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.id)]
    assert actions == ["fee_tier_added", "fee_tier_added", "fee_tier_removed"]


@pytest.mark.parametrize("data,message", [
    (dict(under_hours="0", kind="percent", amount="50"), "between 1 and 8760"),
    (dict(under_hours="abc", kind="percent", amount="50"), ""),
    (dict(under_hours="24", kind="percent", amount="150"), "more than 100"),
    (dict(under_hours="24", kind="percent", amount="0"), "more than 0"),
    (dict(under_hours="24", kind="flat", amount="-4"), "can't be negative"),
    (dict(under_hours="24", kind="weird", amount="4"), "flat amount or a percentage"),
    (dict(under_hours="24", kind="flat", amount="x" * 50), ""),
])
def test_bad_tiers_are_refused(client, world, data, message):
    login(client, world.admin.email)
    response = add_tier(client, **data)
    assert response.status_code == 422
    assert message in text(response)
    assert FeeTier.select().count() == 0


def test_a_duplicate_tier_is_refused(client, world, tiers):
    login(client, world.admin.email)
    response = add_tier(client, under_hours="24", kind="flat", amount="10")
    assert response.status_code == 422 and "already a tier for under 24 hours" in text(response)
