"""The message after a customer cancels speaks their language: it is read through the
request's kept translations (kernel/i18n.lazy_gettext)."""
import pytest

from portal.people import Customer
from tests.support.account_helpers import _push_request_context, browser, log_in, page  # noqa: F401
from tests.support.cancelling import HX
from tests.support.forms import csrf_from


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_the_message_after_cancelling_speaks_the_customers_language(app, world, headers):
    """The flash after the redirect, or the card's message: German, as the account asks."""
    client = browser(app)
    assert log_in(client, world.customer.email).status_code == 302
    Customer.update(language="de").where(Customer.id == world.customer.id).execute()
    form = page(client, f"/bookings/{world.upcoming.ref}/cancel").get_data(as_text=True)
    response = client.post(f"/bookings/{world.upcoming.ref}/cancel", headers=headers,
                           data={"csrf_token": csrf_from(form),
                                 "version": world.upcoming.version})
    if not headers:
        assert response.status_code == 302
        response = page(client, response.headers["Location"])
    html = response.get_data(as_text=True)
    assert "Ihre Buchung ist storniert. Wir haben Ihnen eine Bestätigung per E-Mail " \
           "geschickt." in html
