"""Templates and timefmt read the request's language and translations through kernel/i18n.py's
kept lookups instead of Flask-Babel's: they must follow a language switched inside the request
(force_locale, as an email to a customer of another language is written) and switch back."""
from flask import render_template_string
from flask_babel import force_locale, refresh

from portal.kernel import i18n, timefmt
from tests.support.account_helpers import _push_request_context  # noqa: F401

WHEN = '{{ _("When") }}'


def test_a_language_forced_inside_the_request_is_followed_and_left(app, world):
    with app.test_request_context("/login", headers={"Accept-Language": "de"}):
        assert render_template_string(WHEN) == "Wann"
        assert i18n.gettext("When") == "Wann" and timefmt.language() == "de"
        with force_locale("es"):
            assert render_template_string(WHEN) == "Cuándo"
            assert i18n.gettext("When") == "Cuándo" and timefmt.language() == "es"
            with force_locale("en"):
                assert render_template_string(WHEN) == "When" and timefmt.language() == "en"
            assert render_template_string(WHEN) == "Cuándo"
        assert render_template_string(WHEN) == "Wann"
        assert i18n.gettext("When") == "Wann" and timefmt.language() == "de"
        refresh()  # the locale worked out again: still the browser's
        assert render_template_string(WHEN) == "Wann"


def test_each_request_works_out_its_own_language(app, world):
    for accept, word in [("es", "Cuándo"), ("de", "Wann"), ("en", "When"), ("es", "Cuándo")]:
        with app.test_request_context("/login", headers={"Accept-Language": accept}):
            assert render_template_string(WHEN) == word


def test_template_gettext_formats_and_escapes_as_jinja_does(app, world):
    with app.test_request_context("/login", headers={"Accept-Language": "en"}):
        html = render_template_string('{{ _("Visit %(n)s of a repeating series", n="<b>") }}')
        assert html == "Visit &lt;b&gt; of a repeating series"
        assert render_template_string('{{ _("100%% sure") }}') == "100% sure"
        assert render_template_string('{{ _("plain") }}') == "plain"


def test_the_translations_found_for_a_language_are_flask_babels_own(app, world):
    """A request's translations come from the process's table after the first request of its
    language: the very catalogue Flask-Babel finds, and each language its own."""
    from flask_babel import get_translations
    found = {}
    for accept in ["de", "es", "en", "de", "es", "en"]:
        with app.test_request_context("/login", headers={"Accept-Language": accept}):
            kept = i18n.translations()
            assert kept is get_translations()
            assert found.setdefault(accept, kept) is kept
            with force_locale("es" if accept != "es" else "de"):
                assert i18n.translations() is get_translations()
                assert i18n.translations() is not kept
    assert len({id(t) for t in found.values()}) == 3


def test_the_table_of_found_translations_is_emptied_past_its_cap(app, world, monkeypatch):
    monkeypatch.setattr(i18n, "_FOUND", {})
    monkeypatch.setattr(i18n, "_FOUND_CAP", 2)
    for accept in ["de", "es", "en", "de"]:
        with app.test_request_context("/login", headers={"Accept-Language": accept}):
            assert i18n.translations() is not None
            assert len(i18n._FOUND) <= 2
    with app.test_request_context("/login", headers={"Accept-Language": "es"}):
        assert i18n.gettext("When") == "Cuándo"
