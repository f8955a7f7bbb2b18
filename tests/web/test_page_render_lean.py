"""Pages and htmx fragments render through page_kit.render_page (globals, context processors and
the view's values in one plain dict, Flask-Login's processor without its proxies) from
templates compiled to yield each output in one piece (template_output.py): the HTML is byte
for byte what Flask's render_template gives over Jinja's own compilation. And the customer's card after a cancellation,
built without the policy's verdicts (customer/bookings.booking_context with rows), is the card a
fresh read with every verdict renders.

Flask's own path is switched on by listening to its template_rendered signal: render_page then
hands every render to render_template; Jinja's own by its code generator, the cache emptied."""
from contextlib import contextmanager
from datetime import timedelta

import flask
import jinja2
import pytest
from flask import render_template, template_rendered
from jinja2.compiler import CodeGenerator
from markupsafe import Markup
from portal.billing.invoices import open_invoice
from portal.billing.payments import record_payment
from portal.bookings.models import Booking
from portal.kernel.actors import Actor
from portal.messaging import rendering
from portal.messaging.models import OutboxMessage
from portal.people import Customer
from portal.web.app.template_output import JoinedOutput
from portal.web.customer.bookings import AUDIENCE, booking_context
from tests.support.account_helpers import _push_request_context  # noqa: F401 (no held context)
from tests.support.account_helpers import browser, in_app, log_in
from tests.support.factories import booking
from tests.support.forms import csrf_from
from tests.support.page_render import bookings_in_every_state as _bookings
from tests.support.page_render import pages as _pages
from tests.support.page_render import speaks as _speaks

HX = {"HX-Request": "true"}


@contextmanager
def _flasks_own(app):
    """Every render through Flask's render_template (render_page steps aside for a listener),
    every template compiled by Jinja's own code generator (one yield per piece)."""
    def listening(sender, **extra):
        pass
    env = app.jinja_env
    env.cache.clear()
    env.code_generator_class = CodeGenerator
    try:
        with template_rendered.connected_to(listening, app):
            yield
    finally:
        env.cache.clear()
        env.code_generator_class = JoinedOutput


def test_every_template_compiles_with_joined_output(app):
    env = app.jinja_env
    assert env.code_generator_class is JoinedOutput
    names = env.list_templates()
    assert len(names) > 100
    for name in names:  # every template's code compiles (Python accepts what is written)
        env.compile(env.loader.get_source(env, name)[0], name)
    card = env.compile(env.loader.get_source(env, AUDIENCE.card)[0], AUDIENCE.card, raw=True)
    assert "yield environment.rebook_output.extend((" in card


def test_pages_and_fragments_are_what_flasks_render_gives(app, world):
    with in_app():
        refs = _bookings(world)
    urls = ["/bookings", "/bookings?show=all"] + [
        f"/bookings/{ref}{step}" for ref in refs for step in ("", "/cancel", "/reschedule")]
    client = browser(app)
    assert log_in(client, world.customer.email).status_code == 302
    for language in ("en", "de"):
        _speaks(world, language)
        lean = _pages(client, urls)
        with _flasks_own(app):
            own = _pages(client, urls)
        assert lean == own, language
        assert any("Rechnung" in page for page in lean) == (language == "de")


def _card_from_a_fresh_read(app, customer_id, ref, message):
    """The htmx card as the plain path renders it: every verdict worked out, Flask's render."""
    with app.test_request_context(f"/bookings/{ref}/cancel", method="POST", headers=HX):
        flask.g._login_user = Customer.get_by_id(customer_id)
        with _flasks_own(app):
            return render_template(AUDIENCE.card, just_cancelled=message, **booking_context(ref))


def test_the_card_after_cancelling_is_what_a_fresh_read_renders(app, world):
    """An upcoming booking with a fee on its invoice, one without an invoice, one paid (the
    cancellation asks for its refund)."""
    with in_app():
        _bookings(world)
        paid = booking(world.customer, world.service, timedelta(days=40), world.fw)
        record_payment(open_invoice(paid, world.service, world.settings).id, 5000, "card", "",
                       Actor("admin", world.admin.id, world.admin.name))
    client = browser(app)
    assert log_in(client, world.customer.email).status_code == 302
    for ref in (world.upcoming.ref, world.later.ref, paid.ref):
        version = Booking.get(Booking.ref == ref).version
        step = client.get(f"/bookings/{ref}/cancel")
        assert step.status_code == 200, ref
        token = csrf_from(step.get_data(as_text=True))
        answer = client.post(f"/bookings/{ref}/cancel", headers=HX,
                             data={"version": version, "csrf_token": token})
        assert answer.status_code == 200, ref
        card = answer.get_data(as_text=True)
        assert f'id="booking-{ref}"' in card and "badge-cancelled" in card
        message = str(AUDIENCE.done)
        assert message.replace("'", "&#39;") in card
        with in_app():
            fresh = _card_from_a_fresh_read(app, world.customer.id, ref, message)
        assert card == fresh, ref
        assert ("Refund" in card) == (ref == paid.ref)
    _emails_are_what_jinjas_compilation_gives(app)


def _emails_are_what_jinjas_compilation_gives(app):
    """The cancellations' emails (rendered when sent, from the values queued) are the same
    text and HTML from templates compiled either way."""
    with in_app():
        rows = list(OutboxMessage.select().where(OutboxMessage.template != ""))
        assert len(rows) >= 6
        joined = [_bodies(rendering.render(row.template, row.context)) for row in rows]
        with _flasks_own(app):
            own = [_bodies(rendering.render(row.template, row.context)) for row in rows]
    assert joined == own
    assert any("&amp;" in html or "&#39;" in html for _text, html in own)


def _bodies(email):
    """What the templates write (the calendar file is not a template's, and its DTSTAMP is the
    time it is made)."""
    return email["body_text"], email["body_html"]


@pytest.mark.parametrize("email, urls", [
    ("admin@example.com", ["/admin/today", "/admin/bookings", "/admin/customers",
                           "/fieldworker/notifications", "/admin/bookings/{ref}",
                           "/admin/bookings/{ref}/cancel"]),
    ("fw@example.com", ["/fieldworker/jobs", "/fieldworker/jobs/{ref}"]),
])
def test_staff_pages_are_what_flasks_render_gives(app, world, email, urls):
    urls = [url.format(ref=world.upcoming.ref) for url in urls]
    client = browser(app)
    assert log_in(client, email).status_code == 302
    lean = _pages(client, urls)
    with _flasks_own(app):
        assert _pages(client, urls) == lean


def test_kept_urls_keep_plain_calls_only(app):
    """A URL built with `_external`, `_anchor` and the like is built by Flask every time (never
    kept, so never handed out for a plain call); a plain one is kept and is Flask's."""
    urls = app.extensions["rebook.kept_urls"]
    with app.test_request_context("/bookings", base_url="http://localhost/shop"):
        for _ in range(2):
            assert urls("customer.bookings.show", ref="BK-1", _anchor="x") == (
                "/shop/bookings/BK-1#x")
            assert urls("customer.bookings.show", ref="BK-1", _external=True) == (
                "http://localhost/shop/bookings/BK-1")
            assert urls("customer.bookings.show", ref="BK-1") == "/shop/bookings/BK-1"
        kept = [key for key in urls.urls if key[0] == "customer.bookings.show"]
        assert kept and all(not name.startswith("_") for key in kept for name, _ in key[1])


class _Odd:
    """An attribute whose property fails (Jinja then tries the item) and items by key."""
    @property
    def failing(self):
        raise AttributeError("failing")

    def __getitem__(self, key):
        return f"item {key}"


def test_attributes_read_as_jinjas_getattr_reads_them(app):
    """`x.name` compiled to getattr with a default (template_output.visit_Getattr): the
    attribute, else the item, else undefined; an undefined variable's attribute still fails."""
    source = ("{% set d = {'a': 1, 'items': 2} %}{{ d.a }} {{ d.items is defined }} "
              "{{ d.zz is defined }} {{ n.real }} {{ s.upper() }} {{ odd.failing }} "
              "{{ odd.other }} {{ n.nope is defined }}{% for k in [d] %} {{ k.a }}{% endfor %}"
              "{% macro m(v) %} {{ v.a }}{% endmacro %}{{ m(d) }}")
    env = app.jinja_env
    joined = env.from_string(source).render(n=3, s="ab", odd=_Odd())
    assert "t_rebook_attribute" in env.compile(source, raw=True)
    env.code_generator_class = CodeGenerator
    try:
        assert joined == env.from_string(source).render(n=3, s="ab", odd=_Odd())
        assert "t_rebook_attribute" not in env.compile(source, raw=True)
    finally:
        env.code_generator_class = JoinedOutput
    assert joined == "1 True False 3 AB item failing item other False 1 1"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing_name.y }}").render()


def test_names_read_as_jinjas_context_reads_them(app):
    """A name read from the context written out (template_output.enter_frame): the template's
    own variable first, then the render's, else undefined; Jinja's own code where the context
    class reads names its own way."""
    source = ("{% macro m() %}{{ top }} {{ given }} {{ absent is defined }}{% endmacro %}"
              "{{ given }} {% set given = 'shadowed' %}{% set top = 'set' %}{{ m() }} "
              "{% for i in [1] %}{{ given }}{{ i }}{% endfor %} {{ absent is defined }}")
    env = app.jinja_env
    joined = env.from_string(source).render(given="passed")
    assert "resolve(" not in env.compile(source, raw=True).split("resolve = ", 1)[1]
    env.code_generator_class = CodeGenerator
    try:
        assert joined == env.from_string(source).render(given="passed")
    finally:
        env.code_generator_class = JoinedOutput
    assert joined == "passed set shadowed False shadowed1 False"

    class OwnReading(jinja2.runtime.Context):
        def resolve_or_missing(self, key):
            return "own" if key == "given" else super().resolve_or_missing(key)
    old = env.context_class
    env.context_class = OwnReading
    try:
        assert "resolve('given')" in env.compile(source, raw=True)
    finally:
        env.context_class = old


class _Html:
    def __html__(self):
        return "<b>own</b>"


def test_values_escaped_as_jinjas_escape_does(app):
    """A plain str escaped without a call of escaped() (template_output._output_child_pre), any
    other value through it: the same text as markupsafe's escape in Jinja's own code."""
    source = ("{{ s }}|{{ m }}|{{ n }}|{{ none }}|{{ h }}|{{ s ~ 1 }}|{{ s|upper }}|{{ m|e }}"
              "{% macro k(v) %}[{{ v }}]{% endmacro %}{{ k(s) }}{% autoescape false %}{{ s }}"
              "{% endautoescape %}")
    values = dict(s="<a & 'b'>", m=Markup("<i>kept</i>"), n=3.5, none=None, h=_Html())
    source = "{% autoescape true %}" + source + "{% endautoescape %}"  # (from_string: off)
    env = app.jinja_env
    assert "t_rebook_value" in env.compile(source, raw=True)
    out = env.from_string(source).render(**values)
    env.code_generator_class = CodeGenerator
    try:
        assert out == env.from_string(source).render(**values)
    finally:
        env.code_generator_class = JoinedOutput
    assert out.startswith("&lt;a &amp; &#39;b&#39;&gt;|<i>kept</i>|3.5|None|<b>own</b>|")


def test_flashed_messages_are_flasks(app):
    """get_flashed_messages in templates (page_kit.flashed_messages): Flask's answer for every
    argument, taken from the session once a request like Flask's, shared with Flask's own."""
    from flask import flash, get_flashed_messages

    from portal.web.app.page_kit import flashed_messages
    assert app.jinja_env.globals["get_flashed_messages"] is flashed_messages
    asks = [{}, {"with_categories": True}, {"category_filter": ["error"]},
            {"with_categories": True, "category_filter": ("success", "error")}]
    for ask in asks:
        answers = []
        for lean in (True, False):
            with app.test_request_context("/"):
                flash("Saved <b>", "success")
                flash("Refused", "error")
                flash("Plain")
                first = (flashed_messages if lean else get_flashed_messages)(**ask)
                again = get_flashed_messages(**ask) if lean else flashed_messages(**ask)
                assert first == again and "_flashes" not in flask.session
                answers.append(first)
        assert answers[0] == answers[1] and answers[0], ask
    with app.test_request_context("/"):
        assert flashed_messages() == [] == get_flashed_messages()
