"""The fee tiers and the webhook subscribers a process keeps between requests (portal/settings/
kept.py) are never stale: a change made by another process, even by plain SQL at the database,
gives the settings row a new stamp (migration 0028's triggers), and the next cancellation here
reads the rows again."""
from datetime import timedelta

from portal.billing.models import Invoice, InvoiceLine
from portal.integrations.webhook_models import WebhookDelivery
from portal.settings import Settings
from tests.support.elsewhere import sql_elsewhere
from tests.support.factories import booking
from tests.support.forms import csrf_from


def cancel(client, world, hours, shown=None):
    """The customer cancels a new visit `hours` away through its cancel step, which shows the
    fee `shown` (text) when given; returns the booking."""
    visit = booking(world.customer, world.service, timedelta(hours=hours), world.fw)
    page = client.get(f"/bookings/{visit.ref}/cancel").get_data(as_text=True)
    if shown is not None:
        assert shown in page
    response = client.post(f"/bookings/{visit.ref}/cancel",
                           data={"csrf_token": csrf_from(page), "version": visit.version})
    assert response.status_code == 302
    return visit


def fee_lines(visit):
    return [line.amount for line in InvoiceLine.select().join(Invoice).where(
        (Invoice.booking == visit.id) & (InvoiceLine.kind == "cancellation_fee"))]


def deliveries():
    return WebhookDelivery.select().where(WebhookDelivery.event_type == "booking.cancelled").count()


def stamp():
    return Settings.current().cache_stamp


def test_a_fee_tier_added_by_another_process_is_charged_on_the_next_cancel(
        app, customer_client, world):
    assert fee_lines(cancel(customer_client, world, 30)) == []  # no tiers, and now kept
    before = stamp()
    sql_elsewhere(app.config["DATABASE_URL"],
                  "INSERT INTO fee_tier (under_hours, kind, flat_amount, percent_bp) "
                  "VALUES (48, 'flat', 2500, 0)")
    assert stamp() != before
    assert fee_lines(cancel(customer_client, world, 30, shown="$25.00")) == [2500]
    sql_elsewhere(app.config["DATABASE_URL"], "UPDATE fee_tier SET flat_amount = 1500")
    assert fee_lines(cancel(customer_client, world, 30, shown="$15.00")) == [1500]
    sql_elsewhere(app.config["DATABASE_URL"], "DELETE FROM fee_tier")
    assert fee_lines(cancel(customer_client, world, 30)) == []


def test_a_webhook_subscriber_added_or_stopped_elsewhere_is_heard_at_once(
        app, customer_client, world):
    cancel(customer_client, world, 24 * 10)  # nobody listens, and that is kept
    assert deliveries() == 0
    sql_elsewhere(app.config["DATABASE_URL"],
                  "INSERT INTO integration (name, kind, endpoint_url, secret, events, "
                  "applies_cancellations, active, created_at) VALUES ('Elsewhere', 'calendar', "
                  "'http://127.0.0.1:9/hook', '" + "s" * 40 + "', 'booking.cancelled', "
                  "TRUE, TRUE, '2026-01-01 00:00:00')")
    cancel(customer_client, world, 24 * 10)
    assert deliveries() == 1
    cancel(customer_client, world, 24 * 10)  # kept now: still told
    assert deliveries() == 2
    sql_elsewhere(app.config["DATABASE_URL"], "UPDATE integration SET active = FALSE")
    cancel(customer_client, world, 24 * 10)
    assert deliveries() == 2


def test_the_stamp_is_new_for_every_change_and_kept_without_one(world):
    """Every change gives a stamp not seen before; settings rows start with their own."""
    from portal.billing.fees import fee_tiers
    from portal.billing.models import FeeTier
    seen = {stamp()}
    for change in (lambda: FeeTier.create(under_hours=24, kind="flat", flat_amount=100),
                   lambda: FeeTier.update(flat_amount=200).execute(),
                   lambda: FeeTier.delete().execute()):
        change()
        assert stamp() not in seen
        seen.add(stamp())
    assert fee_tiers(Settings.current()) == []
    FeeTier.create(under_hours=24, kind="flat", flat_amount=300)
    stale = Settings.current()
    stale.cache_stamp = ""  # a row without a stamp keeps nothing: read every time
    assert fee_tiers(stale) == [(24, "flat", 300, 0)]
