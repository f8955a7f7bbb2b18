"""Shared steps for the account tests: a customer without a password, their links, forms.

These tests drive several browsers (test clients) at once, so they switch off pytest-flask's
request context held open for the whole test: with it, every request shares one app context,
hence one `g`, where Flask-Login caches the logged-in user and Flask-WTF the CSRF token, and
one browser would see another's login. Code that needs an app context outside a request gets
one for that call (`in_app`).
"""
import re
from contextlib import contextmanager

import pytest
from portal.accounts.invitations import queue_invitation, queue_reset
from portal.accounts.models import AccountToken
from portal.audit import AuditEvent
from portal.kernel.db import write_transaction
from portal.people import Customer
from tests.support.forms import csrf_from

LINK_RE = re.compile(r"http://localhost(/account/(?:invite|reset)/[A-Za-z0-9_.\-]+)")
NEW_PASSWORD = "correct horse battery"


_APP = []


@pytest.fixture
def _push_request_context(request):
    """Overrides pytest-flask's autouse fixture of this name (import it into the test module):
    no context held open, only the app remembered for in_app()."""
    if "app" in request.fixturenames:
        _APP[:] = [request.getfixturevalue("app")]


@contextmanager
def in_app():
    with _APP[0].app_context():
        yield


def new_customer(email="newbie@example.com", name="Nina Newbie"):
    """A customer staff just created: no password yet."""
    return Customer.create(name=name, email=email, phone="555 010 2000", address="3 Elm Road")


def invite_path(customer, now=None):
    with in_app(), write_transaction():
        return LINK_RE.search(queue_invitation(customer, now=now)).group(1)


def reset_path(customer, now=None):
    with in_app(), write_transaction():
        return LINK_RE.search(queue_reset(customer, now=now)).group(1)


def deliver():
    """Run the outbox worker once, as the CLI would."""
    from portal.messaging.outbox import work_once
    with in_app():
        return work_once()


def browser(app, address="127.0.0.1"):
    """A separate browser (its own cookies) at a client address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def page(client, path):
    return client.get(path)


def log_in(client, email, password="demo"):
    """Log in through the form in this browser; returns the response."""
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_from(page(client, "/login").get_data(
                                           as_text=True))})


def link_in(text):
    return LINK_RE.search(text).group(1)


def submit_password(client, path, password=NEW_PASSWORD, confirm=None, form_page=None):
    """Open the link's page (as the person would) and send the form."""
    html = form_page or page(client, path).get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_from(html), "password": password,
                                   "confirm": password if confirm is None else confirm})


def facts(customer):
    """What a refused request must leave alone."""
    row = Customer.get_by_id(customer.id)
    return (row.password_hash, row.session_epoch,
            [(t.id, t.used_at) for t in AccountToken.select().order_by(AccountToken.id)],
            AuditEvent.select().count())
