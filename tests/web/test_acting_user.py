"""flows.audience.acting_user: current_user's object read from `g` where Flask-Login noted it,
else through its loader; the same object the proxy gives, logged in or not, loaded or not."""
from flask import g
from flask_login import current_user

from portal.web.flows.audience import acting_user
from tests.support.account_helpers import _push_request_context  # noqa: F401 (no held context)
from tests.support.forms import login


def _both(app, cookie, proxy_first):
    """(the proxy's user, acting_user()) in a request carrying `cookie`; whether the user was
    loaded before acting_user asked."""
    headers = {"Cookie": cookie} if cookie else {}
    with app.test_request_context("/", headers=headers):
        if proxy_first:
            theirs = current_user._get_current_object()
        loaded = "_login_user" in g
        mine = acting_user()
        if not proxy_first:
            theirs = current_user._get_current_object()
        return theirs, mine, loaded


def test_same_object_as_current_user(app, client, world):
    for proxy_first in (True, False):
        theirs, mine, loaded = _both(app, None, proxy_first)
        assert mine is theirs and not mine.is_authenticated and loaded is proxy_first
    login(client, "customer@example.com", "demo")
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = f"{name}={client.get_cookie(name).value}"
    for proxy_first in (True, False):
        theirs, mine, loaded = _both(app, cookie, proxy_first)
        assert mine is theirs  # (the session's opening may have loaded them already)
        assert mine.is_authenticated and mine.id == world.customer.id
