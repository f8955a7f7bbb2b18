"""Rebook: a self-hosted customer portal for small service businesses."""
from flask import Flask
from flask.globals import _cv_request

from .audit import channel_label
from .audit.text import who
from .billing.money import rate_text
from .billing.payments import METHODS as PAYMENT_METHODS
from .bookings import policy
from .extensions import csrf, login, mail
from .kernel import config as config_module
from .kernel.db import database, open_database, release_connection
from .kernel.i18n import gettext as kept_gettext
from .kernel.languages import SUPPORTED as SUPPORTED_LANGUAGES
from .kernel.timefmt import (clock, currency_symbol, day_text, language, local_time,
                             mixed_offsets, money_filter, percent, when_filter, when_range,
                             zone_name)
from .messaging import email_frame
from .web.app import answers, input_guard, locale, url_adapter
from .web.app.current import current_settings, load_person
from .web.app.session_cookie import skip_idle_remember_cookie
from .web.app.limits import trust_proxies


def create_app(config=None):
    """Build the app: config, extensions, blueprints, error handlers, CLI."""
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    app.config.update(config_module.from_environment())
    app.config.update(config or {})
    config_module.check(app.config)

    open_database(app.config["DATABASE_URL"], app.config.get("DATABASE_POOL_SIZE"),
                  app.config.get("DATABASE_POOL_STALE_SECONDS"))
    trust_proxies(app)
    input_guard.init_app(app)  # converters before any route; the guard before CSRF
    csrf.init_app(app)
    mail.init_app(app)
    login.init_app(app)
    # Flask-Login's loader: the person whose login session the cookie names, while it lives
    # (with the settings row, read in the same statement).
    login.user_loader(load_person)
    skip_idle_remember_cookie(app, login)
    locale.init_app(app)  # the request's language (customers' pages; staff stay English)
    # refusals a customer reads, in their language (Flask-Babel's gettext through the
    # request's kept translations: a cancelled booking's card asks four times)
    policy.use_translator(kept_gettext)

    @app.before_request
    def _connect():
        # health checks open their own (portal/web/app/health.py); the request read once,
        # not through the proxy
        if _cv_request.get().request.blueprint != "health":
            database.connect(reuse_if_open=True)

    @app.teardown_appcontext
    def _close(exc):
        release_connection()

    @app.context_processor
    def _inject():
        settings = current_settings()
        return {"settings": settings, "tz": settings.timezone}

    app.jinja_env.filters["when"] = when_filter  # when() and money() in the render's language
    app.jinja_env.filters["money"] = money_filter
    app.jinja_env.filters["currency_symbol"] = currency_symbol
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["zone_name"] = zone_name
    app.jinja_env.filters["day"] = day_text
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.globals["page_language"] = language  # <html lang>
    app.jinja_env.globals["languages"] = SUPPORTED_LANGUAGES  # the pickers' choices
    app.jinja_env.filters["rate"] = rate_text
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["channel"] = channel_label
    app.jinja_env.globals["mixed_offsets"] = mixed_offsets
    app.jinja_env.globals["payment_methods"] = PAYMENT_METHODS
    app.jinja_env.globals["when_range"] = when_range
    app.jinja_env.globals["who"] = who
    email_frame.init_app(app)  # kit.email / kit.frame, rendered once and kept

    from .web import register
    register(app)
    from .web.app.page_kit import drop_repeated_defaults, keep_global_callables
    drop_repeated_defaults(app)
    keep_global_callables(app)
    from .web.app.security_headers import init_app as security_headers
    security_headers(app)
    answers.init_app(app)
    url_adapter.init_app(app)  # each request's URL adapter, the browser's host kept

    from .ops.cli import register_cli
    register_cli(app)
    return app

