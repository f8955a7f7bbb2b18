"""Every page a role can open, and what sticks out past the viewport on it.

The pages come from the app's url_map: every GET route, its parameters filled from the fuzz
world (a real booking, order, customer, integration, token…), less what isn't a page a person
reads (the API, health checks, static files, downloads, polled fragments, an email's own HTML).
"""
import re

NOT_PAGES = ("/api/", "/healthz", "/readyz", "/static/", "/favicon.ico", "/setup",
             ".csv", "/badge", "/html", "/emails/<kind>/<language>/preview")
ROLES = {"anonymous": None, "customer": "customer@example.com", "fieldworker": "fw@example.com",
         "admin": "admin@example.com"}


def page_urls(app, world, tokens):
    """{rule: url} for every GET page, parameters filled with one real record each."""
    from portal.billing.models import Invoice  # noqa: F401  (the world has invoices)
    from portal.bookings.models import Booking
    from portal.integrations.models import ApiToken, Integration
    from portal.integrations.webhook_models import WebhookDelivery
    from portal.messaging.models import OutboxMessage
    from portal.orders.models import Order

    integration = Integration.select().order_by(Integration.id).first()
    delivery = WebhookDelivery.select().order_by(WebhookDelivery.id).first()
    order = Order.select().where(Order.customer == world.customer.id).order_by(Order.id).first()
    token = ApiToken.select().order_by(ApiToken.id).first()
    # The world's objects carry the references they were made with; build() renamed them since.
    booking_ref = Booking.get_by_id(world.upcoming.id).ref
    values = {
        "customer_id": world.customer.id, "service_id": world.service.id,
        "staff_id": world.fw.id,  # the confirm steps (deactivate, revoke) are pages too
        "token_id": token.id if token else 1,  # no token: its page is the 404 page
        "message_id": OutboxMessage.select().order_by(OutboxMessage.id).first().id,
        "integration_id": delivery.integration_id if delivery else integration.id,
        "delivery_id": delivery.id if delivery else 0,
        "kind": "booking_reminder", "language": "de",  # Settings > Emails: one email's page
    }
    urls = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or any(part in rule.rule for part in NOT_PAGES):
            continue
        args = {name: values.get(name) for name in rule.arguments}
        if "ref" in args:
            args["ref"] = order.ref if "/orders" in rule.rule else booking_ref
        if "token" in args:
            kind = {"/account/invite": "invite", "/account/reset": "reset",
                    "/account/email": "email"}
            # A link's cancel and reschedule steps take a token made for that step.
            link = "link-" + next((step for step in ("cancel", "reschedule")
                                   if rule.rule.endswith(step)), "view")
            args["token"] = next((tokens[v] for k, v in kind.items() if rule.rule.startswith(k)),
                                 tokens[link])
        with app.test_request_context():
            from flask import url_for
            url = url_for(rule.endpoint, **args)
        if rule.endpoint.endswith(".status"):
            url += "?status=completed"
        urls[rule.rule] = url
    return dict(sorted(urls.items()))


# Elements whose box or text reaches past the viewport's right edge (what makes a page scroll
# sideways, or cuts a line off), unless an
# ancestor clips or scrolls them (a scrolling box is the way a wide chart is meant to fit).
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    // Text that runs out of its box (a nowrap line) sticks out as far as the box's scroll width.
    const spill = getComputedStyle(el).overflowX === 'visible' ? el.scrollWidth - el.clientWidth : 0;
    if (box.right + Math.max(spill, 0) <= width + 1) continue;
    let clipped = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX !== 'visible' || style.clip !== 'auto' && style.clip !== '') {
        clipped = true; break;
      }
    }
    const own = getComputedStyle(el);
    if (clipped || own.position === 'fixed' || own.clip !== 'auto' && own.clip !== '') continue;
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    found.push(name + ' ' + Math.round(box.left) + '..' + Math.round(box.right));
  }
  return {width, scroll: document.documentElement.scrollWidth, found: found.slice(0, 8)};
}"""


def too_wide(page):
    """{'width', 'scroll', 'found'}: found lists the elements wider than the viewport."""
    return page.evaluate(OVERFLOW_JS)


def is_login(url):
    return bool(re.search(r"/login(\?|$)", url))
