"""Logging in and out."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..accounts.passwords import log_in
from ..accounts.throttle import TooManyAttempts
from .forms import LoginForm

bp = Blueprint("auth", __name__)

HOME = {"customer": "customer.my_bookings", "admin": "admin.bookings",
        "fieldworker": "fieldworker.jobs"}


def home_url(user):
    return url_for(HOME[user.kind])


def _safe_next(target):
    """Only same-site paths: never send someone to another host after login."""
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/"):
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
            login_user(person)
            return redirect(_safe_next(form.next.data) or home_url(person))
        form.password.errors.append("That email and password don't match an account.")
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


def _limited(form, exc):
    """429 with the login form, the reason, and when to try again (also as Retry-After)."""
    return render_template("auth/login.html", form=form, limited=exc.message), 429, {
        "Retry-After": str(exc.retry_after)}


@bp.post("/logout")
def logout():
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


def unauthorized():
    """Not logged in: to the login page, coming back here after; htmx follows via HX-Redirect."""
    from .htmx import is_htmx
    target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
    if is_htmx():
        response = make_response("Please log in.", 401)
        response.headers["HX-Redirect"] = target
        return response
    flash("Please log in to see that page.", "info")
    return redirect(target)
