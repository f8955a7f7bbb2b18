"""Blueprints, one per audience (each a parent with one child per area), and the app-wide
plumbing they share."""


def register(app):
    from ..extensions import login
    from . import admin, api, customer, fieldworker, links
    from .app import (auth, errors, health, page_kit, request_log, session_cookie, setup,
                      static_files, sync_check)

    app.register_blueprint(auth.bp)
    for audience in (customer, admin, fieldworker, links):
        app.register_blueprint(audience.bp)
    api.register(app)
    session_cookie.init_app(app)
    app.register_blueprint(health.bp)
    setup.init_app(app)
    page_kit.init_app(app)
    static_files.init_app(app)
    request_log.init_app(app)
    errors.register(app)
    sync_check.init_app(app)
    login.unauthorized_handler(auth.unauthorized)
