"""Logging in and out."""
from urllib.parse import urlsplit

from flask import (Blueprint, flash, make_response, redirect, render_template, request, session,
                   url_for)
from flask.globals import _cv_app, _cv_request
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ...accounts import sessions
from ...accounts.profile import take_language
from ...kernel import languages
from .locale import browser_language
from ...accounts.passwords import log_in
from ...accounts.throttle import TooManyAttempts
from ..forms import LoginForm

bp = Blueprint("auth", __name__)

# Requests a page makes by itself (the nav badge's polling) are not activity: an open tab
# must not keep a session alive past the idle timeout.
PASSIVE_ENDPOINTS = {"fieldworker.notifications.badge"}

ENDED = "_session_ended"  # this browser's session ended without a logout here

HOME = {"customer": "customer.bookings.index", "admin": "admin.today.index",
        "fieldworker": "fieldworker.jobs.index"}


def home_url(user):
    return url_for(HOME[user.kind])


def _safe_next(target):
    """Only same-site paths: never send someone to another host after login."""
    parts = urlsplit(target or "")
    # "/\host" is another host to a browser, as "//host" is.
    if (target and not parts.scheme and not parts.netloc and target.startswith("/")
            and "\\" not in target):
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            person = log_in(form.email.data, form.password.data, request.remote_addr)
        except TooManyAttempts as exc:
            return _limited(form, exc)
        if person is not None:
            sign_in(person)
            return redirect(_safe_next(form.next.data) or home_url(person))
        form.password.errors.append(_("That email and password don't match an account."))
    status = 422 if form.errors else 200
    return render_template("app/login.html", form=form), status


def _limited(form, exc):
    """429 with the login form, the reason, and when to try again (also as Retry-After)."""
    return render_template("app/login.html", form=form, limited=exc.message), 429, {
        "Retry-After": str(exc.retry_after)}


def sign_in(person):
    """Start a server-side session for `person` in this browser, ending the one it had."""
    sessions.end(session.get("_user_id"))
    session.pop(ENDED, None)
    login_user(sessions.start(person, request.user_agent.string))
    if person.kind == "customer" and not person.language:
        take_language(person.id, browser_language())
        person.language = languages.known(browser_language()) or ""


@bp.after_app_request
def _note_activity(response):
    """Move the session's idle clock on (sessions.touch writes at most once a minute)."""
    # (g and the request read without their proxies; .get, since a missing attribute raises
    # inside Flask's g)
    user = _cv_app.get().g.get("_login_user")
    row = getattr(user, "login_session", None)
    if row is not None and _cv_request.get().request.endpoint not in PASSIVE_ENDPOINTS:
        sessions.touch(row)
    return response


@bp.post("/logout")
def logout():
    sessions.end(session.get("_user_id"))
    session.pop(ENDED, None)
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


def unauthorized():
    """Not logged in: a page to the login page, coming back here after. After a session
    ended, a form or an htmx request gets an answer that keeps what was typed instead."""
    from .htmx import is_htmx
    from .session_expiry import expired_answer
    target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
    # A key the loader refused means a session that ended (logged out elsewhere, timed out,
    # password changed): say so, and forget the key. ENDED remembers it until the next login,
    # so the form sent after a poll (or a date change) already met the ended session is kept
    # too; someone who never logged in, or logged out here, gets the login page as before.
    ended = session.pop("_user_id", None) is not None
    if ended:
        session[ENDED] = True
    message = (_("Your session has ended. Please log in again.") if ended
               else _("Please log in to see that page."))
    if is_htmx() and request.endpoint in PASSIVE_ENDPOINTS:
        # A poll from an idle tab: the page goes to the login page (static/app.js holds it
        # back while a dialog with a form is open, so nothing typed is lost).
        response = make_response(message, 401)
        response.headers["HX-Redirect"] = target
        if ended:
            flash(message, "info")
        return response
    if session.get(ENDED):
        # A form sent (or a click made) after the session ended keeps what was typed and
        # says so, rather than landing on the login page (app/session_expiry.py).
        kept = expired_answer(401, logged_out=True)
        if kept is not None:
            return kept
    if is_htmx():
        response = make_response(message, 401)
        response.headers["HX-Redirect"] = target
        return response
    flash(message, "info")
    return redirect(target)
