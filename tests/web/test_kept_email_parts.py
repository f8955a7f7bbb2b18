"""The parts of an email the worker makes per message, made more cheaply, write the same bytes:
a link's token (signed with the key itsdangerous derives, kept), its URL (built once around a
marker), and the Jinja context whose `call` keeps each callable's marker
(portal/messaging/email_context.py). Each is compared with what the library makes itself."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from flask import current_app
from itsdangerous import URLSafeSerializer
from jinja2 import pass_context, pass_environment, pass_eval_context
from jinja2.runtime import Context

from portal.bookings.links import PURPOSES, make_token, read_token
from portal.kernel.urls import external_url
from portal.messaging.email_context import EmailContext
from portal.messaging.rendering import link_url, render_flat

# whole numbers of every length, repeated digits (zlib then wins: the "." payloads) and zero
NUMBERS = [0, 1, 7, 42, 99999, 10**6, 123456789, 1111111111111111, 2**63 - 1, 10**30]
END = datetime(2026, 11, 26, 14)


@pytest.mark.parametrize("purpose", PURPOSES)
def test_a_token_is_the_one_itsdangerous_signs(app, purpose):
    compressed = 0
    for secret in ("bench", "x" * 64, "schlüssel"):
        reference = URLSafeSerializer(secret, salt=f"rebook-link-{purpose}")
        for b in NUMBERS:
            for c in NUMBERS[:6]:
                for hours in (0, 1, 10**5):
                    end = END + timedelta(hours=hours)
                    token = make_token(secret, purpose, SimpleNamespace(
                        id=b, customer_id=c, ends_at=end))
                    expected = reference.dumps({"b": b, "c": c, "e": _epoch(end)})
                    assert token == expected
                    compressed += token.startswith(".")
                    assert read_token(secret, purpose, token, END - timedelta(days=1)) == (b, c)
    assert compressed  # the compressed form was among them


def test_a_token_of_values_that_are_not_whole_numbers_is_signed_as_before(app):
    booking = SimpleNamespace(id="12", customer_id=True, ends_at=END)
    reference = URLSafeSerializer("k", salt="rebook-link-view")
    assert make_token("k", "view", booking) == reference.dumps(
        {"b": "12", "c": True, "e": _epoch(END)})


def _epoch(dt):
    return int(dt.replace(tzinfo=timezone.utc).timestamp())


@pytest.mark.parametrize("base", ["http://localhost", "https://book.example.com/app/",
                                  "https://xn--bcher-kva.example:8443/sub/path"])
def test_a_link_is_the_url_werkzeug_builds(app, base, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", base)
    with app.app_context():
        for purpose, endpoint in (("view", "links.booking.show"),
                                  ("cancel", "links.booking.cancel"),
                                  ("reschedule", "links.booking.reschedule")):
            for n in (1, 1111111111111111):
                booking = SimpleNamespace(id=n, customer_id=n, ends_at=END)
                token = make_token(app.config["SECRET_KEY"], purpose, booking)
                assert link_url(purpose, booking) == link_url(purpose, booking) == external_url(
                    endpoint, token=token)
                assert link_url(purpose, booking).startswith(base.rstrip("/"))


class Marked:
    """A callable object whose __call__ wants the context (Context.call looks there)."""

    @pass_context
    def __call__(self, context, x):
        return f"obj:{context['who']}:{x}"


def _stops():
    raise StopIteration


@pass_context
def _ctx(context, x):
    return f"ctx:{context.get('i', '-')}:{context['who']}:{x}"


@pass_eval_context
def _ev(eval_ctx, x):
    return f"ev:{eval_ctx.autoescape}:{x}"


@pass_environment
def _env(environment, x):
    return f"env:{type(environment).__name__}:{x}"


SOURCE = ("{{ plain(1) }}|{{ ctx(2) }}|{{ ev('<3>') }}|{{ env(4) }}|{{ marked(5) }}|"
          "[{{ stops() }}]|{% for i in [7, 8] %}{% set who = 'loop' %}{{ ctx(i) }}"
          "{{ plain(i) }}{% endfor %}|{% macro m(x) %}{{ ctx(x) }}{{ caller() }}{% endmacro %}"
          "{% call m(9) %}{{ ev(10) }}{% endcall %}|{{ 'a-b'|replace('-', plain('+')) }}")


@pytest.mark.parametrize("autoescape", [False, True])
def test_the_email_context_calls_as_jinjas_own(app, autoescape):
    env = current_app.jinja_env.overlay(autoescape=autoescape)
    env.context_class = Context  # jinja2's own (the app's pages use EmailContext too: page_kit)
    template = env.from_string(SOURCE)
    values = dict(plain=lambda x: f"plain:{x}", ctx=_ctx, ev=_ev, env=_env, marked=Marked(),
                  stops=_stops, who="me")
    expected = template.render(**values)
    assert "ctx:-:loop:8" in expected and "obj:me:5" in expected and "[]" in expected
    assert env.context_class is not EmailContext
    env.context_class = EmailContext
    for _ in range(2):  # markers looked up, then kept
        assert render_flat(template, values) == expected
