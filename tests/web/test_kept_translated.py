"""messaging/language.translated keeps a text's words per app and language (the customer's
cancellation subject): whatever language the request speaks, and however often it is asked,
it says what gettext says under writing_in, the plain path it replaced."""
import pytest

from portal.kernel import i18n
from portal.kernel.languages import SUPPORTED
from portal.messaging.emails import CANCELLED_SUBJECT
from portal.messaging.language import translated, writing_in
from tests.support.account_helpers import _push_request_context  # noqa: F401

TEXTS = [CANCELLED_SUBJECT, "When", "a text no catalogue holds"]


def _plain(language, text):
    with writing_in(language):
        return i18n.gettext(text)


@pytest.mark.parametrize("accept", SUPPORTED)
def test_the_kept_words_are_gettexts_under_writing_in(app, world, accept):
    for _ in range(2):  # the first ask keeps them, the second reads them kept
        with app.test_request_context("/login", headers={"Accept-Language": accept}):
            for language in SUPPORTED:
                for text in TEXTS:
                    assert translated(language, text) == _plain(language, text)
            assert str(i18n.current_locale()) == accept  # the request's own language stays


def test_the_subject_is_in_the_customers_language(app, world):
    with app.test_request_context("/login", headers={"Accept-Language": "es"}):
        said = {code: translated(code, CANCELLED_SUBJECT) % {"ref": "R-1"} for code in SUPPORTED}
    assert said["de"] == "Ihre Buchung R-1 ist storniert"
    assert said["es"] == "Su reserva R-1 está cancelada"
    assert said["en"] == "Your booking R-1 is cancelled"


def test_each_app_keeps_its_own(app, world):
    with app.test_request_context("/login"):
        translated("de", CANCELLED_SUBJECT)
        assert ("de", CANCELLED_SUBJECT) in app.extensions["rebook.translated"]


def test_outside_the_app_it_is_what_gettext_says_there(app, world):
    """(A cancel from a script, without an app context: Flask-Babel gives the text as is.)"""
    assert translated("de", CANCELLED_SUBJECT) == _plain("de", CANCELLED_SUBJECT) \
        == CANCELLED_SUBJECT
