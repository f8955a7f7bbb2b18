"""Blueprints, one per audience, and the error pages they share."""


def register(app):
    from ..extensions import login
    from . import admin, auth, customer, errors, fieldworker, links, settings
    from . import staff
    from . import availability_admin
    from . import admin_orders, orders
    from . import refunds_admin
    from . import activity
    from . import reports
    from . import integrations_admin
    from . import account
    from . import api_tokens_admin
    from . import api

    app.register_blueprint(auth.bp)
    app.register_blueprint(customer.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(fieldworker.bp)
    app.register_blueprint(settings.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(availability_admin.bp)
    app.register_blueprint(refunds_admin.bp)
    app.register_blueprint(activity.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(integrations_admin.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(api_tokens_admin.bp)
    api.register(app)
    app.register_blueprint(links.bp)
    app.register_blueprint(orders.bp)
    app.register_blueprint(admin_orders.bp)
    from . import booking_details, business_settings, customers_admin, new_booking
    from . import services_admin
    for blueprint in (new_booking, booking_details, customers_admin, services_admin,
                      business_settings):
        app.register_blueprint(blueprint.bp)
    from . import health, request_log, session_cookie, setup, static_files
    session_cookie.init_app(app)
    app.register_blueprint(health.bp)
    setup.init_app(app)
    static_files.init_app(app)
    request_log.init_app(app)
    errors.register(app)
    login.unauthorized_handler(auth.unauthorized)
