"""Blueprints, one per audience, and the error pages they share."""


def register(app):
    from ..extensions import login
    from .admin import bookings as admin, settings, staff, availability as availability_admin
    from .admin import orders as admin_orders, refunds as refunds_admin, activity, reports
    from .admin import integrations as integrations_admin, api_tokens as api_tokens_admin
    from .app import auth, errors
    from .customer import bookings as customer, account, orders
    from .fieldworker import jobs as fieldworker
    from .links import booking as links
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
    from .admin import booking_details, business_settings, customers as customers_admin
    from .admin import new_booking, services as services_admin
    for blueprint in (new_booking, booking_details, customers_admin, services_admin,
                      business_settings):
        app.register_blueprint(blueprint.bp)
    from .app import health, request_log, setup, static_files
    app.register_blueprint(health.bp)
    setup.init_app(app)
    static_files.init_app(app)
    request_log.init_app(app)
    errors.register(app)
    login.unauthorized_handler(auth.unauthorized)
