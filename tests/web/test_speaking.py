"""messaging/language.speaking (under writing_to, writing_in and for_staff) forces a language
only when the request isn't already speaking it, never works out the request's own language
early, and whichever way it goes, the text is in the language asked for and the request's
own comes back after."""
from flask_babel import get_locale

from portal.kernel import i18n
from portal.messaging.language import for_staff, speaking
from tests.support.account_helpers import _push_request_context  # noqa: F401

WHEN = {"en": "When", "de": "Wann", "es": "Cuándo"}


def test_each_language_asked_for_is_spoken_and_the_requests_comes_back(app, world):
    for accept in ("de", "es", "en"):
        with app.test_request_context("/login", headers={"Accept-Language": accept}):
            assert i18n.resolved_locale() is None
            with speaking("en"):  # nothing worked out yet: forced, as before
                assert i18n.gettext("When") == "When"
            assert i18n.resolved_locale() is None  # asking settled nothing
            assert str(get_locale()) == accept and i18n.resolved_locale() is not None
            for code, word in WHEN.items():
                with speaking(code):
                    assert i18n.gettext("When") == word
                    with for_staff():
                        assert i18n.gettext("When") == "When"
                    assert i18n.gettext("When") == word
                assert i18n.gettext("When") == WHEN[accept] and str(get_locale()) == accept


def test_a_german_customers_cancel_writes_to_them_in_german_and_to_staff_in_english(app, customer_client, world):
    from portal.messaging.models import Notification, OutboxMessage
    from tests.support.forms import csrf_from
    world.customer.language = "de"
    world.customer.save()
    page = f"/bookings/{world.upcoming.ref}"
    customer_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    token = csrf_from(customer_client.get(page).get_data(as_text=True))
    assert customer_client.post(f"{page}/cancel", data={
        "csrf_token": token, "version": world.upcoming.version}).status_code == 302
    notice = Notification.select().order_by(Notification.id.desc()).first()
    assert notice.message.startswith(f"Booking {world.upcoming.ref} for ")
    assert " was cancelled" in notice.message
    subjects = [m.subject for m in OutboxMessage.select().order_by(OutboxMessage.id)]
    assert f"Ihre Buchung {world.upcoming.ref} ist storniert" in subjects
    assert any(s.startswith("Job cancelled: ") for s in subjects)  # the fieldworker's
