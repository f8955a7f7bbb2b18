"""Rebook: a self-hosted customer portal for small service businesses."""
from flask import Flask, has_request_context, request

from . import config as config_module
from .db import database, open_database, release_connection
from .extensions import csrf, login, mail
from .audit import channel_label
from .billing.money import rate_text
from .billing.payments import METHODS as PAYMENT_METHODS
from .people import load_user
from .settings import Settings
from .web.app import input_guard
from .web.app.limits import trust_proxies
from .timefmt import (currency_symbol, local_time, mixed_offsets, money, percent, when,
                      when_range)


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
    login.user_loader(load_user)

    @app.before_request
    def _connect():
        if request.blueprint != "health":  # health checks open their own (portal/web/app/health.py)
            database.connect(reuse_if_open=True)

    @app.teardown_appcontext
    def _close(exc):
        release_connection()

    @app.context_processor
    def _inject():
        return {"settings": current_settings(), "tz": current_settings().timezone}

    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["currency_symbol"] = currency_symbol
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["rate"] = rate_text
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["channel"] = channel_label
    app.jinja_env.globals["mixed_offsets"] = mixed_offsets
    app.jinja_env.globals["payment_methods"] = PAYMENT_METHODS
    app.jinja_env.globals["when_range"] = when_range

    from .web import register
    register(app)
    from .web.app.security_headers import init_app as security_headers
    security_headers(app)

    from .cli import register_cli
    register_cli(app)
    return app


def current_settings():
    """The settings row, read once per request (kept in the WSGI environ, which is per request
    even when an app context outlives it)."""
    if not has_request_context():
        return Settings.current()
    if "rebook.settings" not in request.environ:
        request.environ["rebook.settings"] = Settings.current()
    return request.environ["rebook.settings"]
