"""Pages render through page_kit's Jinja context (each callable's pass-marker looked up once),
with `_` bound per catalogue, its plain texts kept, handed to each render (web/app/locale.py),
and `may_book` and `unread_notifications` as globals: the HTML is byte for byte what Jinja's
own Context and its own newstyle gettext over Flask-Babel's translations give, for the booking
page and its card (scheduled, cancelled, with an invoice, paid and cancelled with a refund
asked, approved or rejected) in each language, and for staff pages."""
import flask_babel
import pytest
from jinja2.ext import _make_new_gettext
from jinja2.runtime import Context

from portal.kernel.timefmt import when
from portal.messaging.email_context import EmailContext
from portal.settings import Settings
from portal.web.app.locale import _render_gettext
from tests.support.account_helpers import _push_request_context  # noqa: F401 (no held context)
from tests.support.account_helpers import browser, in_app, log_in
from tests.support.page_render import bookings_in_every_state as _bookings
from tests.support.page_render import pages as _pages
from tests.support.page_render import speaks as _speaks


def _jinjas_own(app, monkeypatch):
    """From here on: jinja2's Context and its newstyle gettext over Flask-Babel's own
    translations (what locale.py replaces, for the render too), no kept HTML blocks."""
    env = app.jinja_env
    monkeypatch.setitem(app.template_context_processors, None, [
        f for f in app.template_context_processors[None] if f is not _render_gettext])
    monkeypatch.setattr(env, "context_class", Context)
    own = _make_new_gettext(lambda s: flask_babel.get_translations().ugettext(s))
    monkeypatch.setitem(env.globals, "_", own)
    monkeypatch.setitem(env.globals, "gettext", own)
    env.globals["kept"].fragments.clear()
    monkeypatch.setattr(env.globals["kept"], "fragments", _Never())


class _Never(dict):
    def __setitem__(self, key, value):
        pass  # every block is rendered afresh


def test_the_booking_pages_are_what_jinjas_own_calls_give(app, world, monkeypatch):
    assert app.jinja_env.context_class is EmailContext
    with in_app():
        refs = _bookings(world)
    urls = ["/bookings", "/bookings?show=all"] + [
        f"/bookings/{ref}{step}" for ref in refs for step in ("", "/cancel")]
    client = browser(app)
    assert log_in(client, world.customer.email).status_code == 302
    kept = {}
    for language in ("en", "de", "es"):
        _speaks(world, language)
        kept[language] = _pages(client, urls)
        kept[language] += _pages(client, urls)  # the texts and markers kept by now
    assert "Rechnung" in "".join(kept["de"]) and "Parking &lt;&amp;&gt;" in kept["de"][4]
    _jinjas_own(app, monkeypatch)
    for language in ("en", "de", "es"):
        _speaks(world, language)
        own = _pages(client, urls)
        assert kept[language] == own + own, language


@pytest.mark.parametrize("email, urls", [
    ("admin@example.com", ["/admin/today", "/admin/bookings", "/fieldworker/notifications"]),
    ("fw@example.com", ["/fieldworker/jobs", "/fieldworker/notifications"]),
])
def test_staff_pages_are_what_jinjas_own_calls_give(app, world, monkeypatch, email, urls):
    urls = urls + [f"/admin/bookings/{world.upcoming.ref}" if email.startswith("admin")
                   else f"/fieldworker/jobs/{world.upcoming.ref}"]
    client = browser(app)
    assert log_in(client, email).status_code == 302
    kept = _pages(client, urls)
    _jinjas_own(app, monkeypatch)
    assert _pages(client, urls) == kept


def test_callables_made_afresh_are_called_but_never_kept(app):
    """A bound method (a form's field, a value's `str.split`) is a new object on every look-up:
    called as Jinja calls it, not kept (nothing it holds stays alive); a process's own
    function is kept."""
    from portal.messaging import email_context

    class Row:
        def label(self, suffix):
            return f"row{suffix}"

    def shout(text):
        return text.upper()

    with app.app_context():
        template = app.jinja_env.from_string("{{ row.label('!') }} {{ 'a b'.split()|length }} "
                                             "{{ shout('x') }}")
        row = Row()
        assert template.render(row=row, shout=shout) == "row! 2 X"
    kept = list(email_context._known.keys())
    assert shout in kept
    assert not any(getattr(c, "__self__", None) in (row, "a b") for c in kept)


def test_a_macro_a_page_defines_is_forgotten_with_its_render(app):
    """A page's own macro is made anew each render and holds that render's context (its rows):
    the kept look-up must not keep it alive once the page is rendered."""
    import gc
    import weakref

    from portal.messaging import email_context
    seen = []
    with app.app_context():
        template = app.jinja_env.from_string(
            "{% macro cell(x) %}<td>{{ x }}</td>{% endmacro %}{{ cell(rows[0]) }}{{ keep(cell) }}")
        html = template.render(rows=["secret row"], keep=lambda m: seen.append(
            (weakref.ref(m), m in email_context._known)) or "")
    assert html == "<td>secret row</td>"
    macro, kept_while_it_lived = seen[0]
    assert kept_while_it_lived
    gc.collect()
    assert macro() is None


def test_the_apps_own_callables_are_lasting_and_called_as_jinja_calls_them(app, world):
    """The environment's globals and each catalogue's `_` are found in the plain dict
    (email_context.lasting), a page's macro never; a lasting callable that wants the context
    still gets it (Context.call), one that wants the eval context gets that."""
    from jinja2 import pass_context
    from portal.messaging import email_context
    env = app.jinja_env
    for name in ("url_for", "csrf_token", "kept", "may_book", "when_range", "page_language"):
        assert env.globals[name] in email_context._lasting, name
    client = browser(app)
    assert log_in(client, world.customer.email).status_code == 302
    assert client.get(f"/bookings/{world.upcoming.ref}").status_code == 200
    assert any(getattr(f, "__qualname__", "").startswith("bound_template_gettext")
               for f in email_context._lasting)

    @pass_context
    def page_name(context, suffix):
        return str(context.name) + suffix
    email_context.lasting(page_name)
    with app.app_context():
        template = env.from_string("{% macro m() %}x{% endmacro %}{{ m() }}"
                                   "{{ page_name('!') }}{{ _('Invoice') }}")
        assert template.render(page_name=page_name, _=env.globals["_"]) == "xNone!Invoice"
    assert not any(type(f).__name__ == "Macro" for f in email_context._lasting)


def test_money_and_times_follow_each_renders_language(app, world, monkeypatch):
    """`money` and `when` take the language handed to the render (RENDER_LANGUAGE): each
    render gets its own, in another language after a switch or under force_locale (an email
    in the recipient's language inside a request); a macro imported without the context (its
    module kept by Jinja from render to render) asks for the language itself."""
    from datetime import datetime

    from flask import render_template_string
    from jinja2 import ChoiceLoader, DictLoader
    env = app.jinja_env
    monkeypatch.setattr(env, "loader", ChoiceLoader([DictLoader({
        "_test_money.html": "{% macro m(v) %}{{ v|money('EUR') }}{% endmacro %}"}), env.loader]))
    env.cache.clear()
    source = ("{% import '_test_money.html' as k %}{{ k.m(123456) }}|{{ 123456|money('EUR') }}|"
              "{{ at|when('Europe/Berlin') }}")
    at = datetime(2026, 11, 24, 8, 0)
    expected = {"en": "€1,234.56|€1,234.56|Tue 24 Nov 2026, 9:00 AM CET",
                "de": "1.234,56\xa0€|1.234,56\xa0€|Di., 24. Nov. 2026, 09:00 CET"}
    with app.test_request_context("/"):
        for language in ("en", "de", "en", "de"):
            with flask_babel.force_locale(language):
                assert render_template_string(source, at=at) == expected[language], language
    client = browser(app)
    assert log_in(client, world.customer.email).status_code == 302
    page = f"/bookings/{world.upcoming.ref}"
    seen = {}
    for language in ("de", "en", "de"):  # the customer switches mid-session
        _speaks(world, language)
        seen.setdefault(language, []).append(client.get(page).get_data(as_text=True))
    assert seen["de"][0] == seen["de"][1] != seen["en"][0]
    with in_app():
        starts = world.upcoming.starts_at
        tz = Settings.current().timezone
    with app.test_request_context("/"):
        for language in ("de", "en"):
            with flask_babel.force_locale(language):
                assert when(starts, tz) in seen[language][0], language
