"""A session cookie opened once is kept by the whole Cookie header the browser sent
(portal/web/app/session_cookie.py), and what a repeat gets is what Flask's own session
interface opens from the same request: with other cookies beside it, after a tampered
signature, a changed secret key, and past the session's lifetime."""
import time

import pytest
from flask.sessions import SecureCookieSessionInterface

from portal.web.app.session_cookie import KeptSignerSessionInterface

CONTENTS = {"_user_id": "customer:abc", "_fresh": True, "csrf_token": "f" * 40}


def _cookie(app, contents=CONTENTS):
    return SecureCookieSessionInterface().get_signing_serializer(app).dumps(contents)


def _open(app, interface, header):
    with app.test_request_context("/", headers={"Cookie": header} if header else {}) as ctx:
        return interface.open_session(app, ctx.request)


def _both(app, kept, header):
    """What the kept interface opens (twice: the second from what it kept) and Flask's."""
    first, again = _open(app, kept, header), _open(app, kept, header)
    flasks = _open(app, SecureCookieSessionInterface(), header)
    assert dict(first) == dict(again) == dict(flasks)
    return dict(again)


@pytest.mark.parametrize("header, opens", [
    ("session={value}", CONTENTS), ("theme=dark; session={value}; lang=de", CONTENTS),
    ("session={value}; other=1", CONTENTS), ("", {}), ("other=1", {}), ("session=", {}),
    ("session={value}x", {}), ("session=x{value}", {})])
def test_kept_session_is_what_flask_opens(app, header, opens):
    assert _both(app, KeptSignerSessionInterface(), header.format(value=_cookie(app))) == opens


def test_a_new_secret_key_opens_nothing_kept_under_the_old(app, monkeypatch):
    kept, header = KeptSignerSessionInterface(), f"session={_cookie(app)}"
    assert _both(app, kept, header) == CONTENTS
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret")
    assert _both(app, kept, header) == {}


def test_a_kept_session_past_its_lifetime_is_refused(app, monkeypatch):
    kept, header = KeptSignerSessionInterface(), f"session={_cookie(app)}"
    assert _both(app, kept, header) == CONTENTS
    lifetime = app.permanent_session_lifetime.total_seconds()
    later = time.time() + lifetime + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert _open(app, kept, header) == {}
    assert _open(app, SecureCookieSessionInterface(), header) == {}


def test_another_cookie_name_is_another_session(app, monkeypatch):
    kept, header = KeptSignerSessionInterface(), f"session={_cookie(app)}"
    assert _both(app, kept, header) == CONTENTS
    monkeypatch.setitem(app.config, "SESSION_COOKIE_NAME", "rebook")
    assert _both(app, kept, header) == {}
