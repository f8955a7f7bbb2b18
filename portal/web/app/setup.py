"""First-run setup in the browser (production mode): /setup, and every page leading to it.

While a production database has no staff, every request except /setup, static files and the
health checks is sent to /setup; once an admin exists /setup answers 404 for good. The rules
and the one-transaction guard live in portal/ops/first_run.py.
"""
from types import SimpleNamespace

from flask import (Blueprint, abort, current_app, flash, make_response, redirect,
                   render_template, request, url_for)
from flask.globals import _cv_app
from wtforms import EmailField, PasswordField, StringField

from ...kernel.config import PRODUCTION
from ...kernel.db import database
from ...kernel.errors import Conflict
from ...ops import first_run
from ...settings.business import CURRENCIES, timezones
from ..forms import Form
from .htmx import is_htmx

bp = Blueprint("setup", __name__)
DONE = "rebook.set_up"  # app.extensions key: once staff exist they never all go away
OPEN_PATHS = ("/setup", "/healthz", "/readyz", "/favicon.ico")
OPEN_PREFIXES = ("/static/",)
# The base template shows the business's name, which setup is about to ask for.
UNNAMED = SimpleNamespace(business_name="Rebook")


class SetupForm(Form):
    """Fields only: portal.ops.first_run checks every value and names the field at fault."""
    business_name = StringField("Business name")
    timezone = StringField("Timezone")
    currency = StringField("Currency")
    name = StringField("Your name")
    email = EmailField("Your email")
    password = PasswordField("Password")
    confirm = PasswordField("Password again")


def init_app(app):
    app.register_blueprint(bp)
    app.before_request(_send_to_setup)


def _setup_closed(app):
    """Setup is over for this process without asking the database: not production mode, or
    found done before (every request asks, so this much reads no proxy and runs no query)."""
    return app.config.get("REBOOK_MODE") != PRODUCTION or bool(app.extensions.get(DONE))


def _setup_open():
    """Setup runs only in production mode and only while nobody is on staff."""
    if _setup_closed(current_app):
        return False
    database.connect(reuse_if_open=True)
    if first_run.needs_setup():
        return True
    current_app.extensions[DONE] = True  # spare every later request the query
    return False


def _send_to_setup():
    if _setup_closed(_cv_app.get().app):
        return None
    path = request.path
    if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES) or not _setup_open():
        return None
    target = url_for("setup.page")
    if is_htmx():
        response = make_response("Rebook needs setting up first.", 401)
        response.headers["HX-Redirect"] = target
        return response
    # 303 turns a POST into a GET of the setup page.
    return redirect(target, 302 if request.method in ("GET", "HEAD") else 303)


def _page(form, status=200, error=None):
    return render_template("app/setup.html", form=form, error=error, timezones=timezones(),
                           currencies=CURRENCIES, settings=UNNAMED), status


@bp.route("/setup", methods=["GET", "POST"])
def page():
    if not _setup_open():
        abort(404)
    if request.method == "GET":
        return _page(SetupForm(formdata=None))
    form = SetupForm()  # CSRFProtect has already refused a missing or forged token (400)
    try:
        admin = first_run.run_setup({name: form[name].data for name in first_run.FIELDS})
    except first_run.InvalidSetup as exc:
        for name, message in exc.errors.items():
            form[name].errors = [*form[name].errors, message]
        return _page(form, exc.status)
    except Conflict as exc:  # someone else finished setup while this form was being sent
        return _page(form, exc.status, exc.message)
    current_app.extensions[DONE] = True
    flash(f"Rebook is set up. Log in as {admin.email} with the password you just chose.",
          "success")
    return redirect(url_for("auth.login"), 303)
