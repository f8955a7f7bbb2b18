"""Blueprints, one per audience, and the error pages they share."""


def register(app):
    from ..extensions import login
    from . import admin, auth, customer, errors, fieldworker, links, settings
    from . import staff
    from . import availability_admin
    from . import admin_orders, orders
    from . import refunds_admin

    app.register_blueprint(auth.bp)
    app.register_blueprint(customer.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(fieldworker.bp)
    app.register_blueprint(settings.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(availability_admin.bp)
    app.register_blueprint(refunds_admin.bp)
    app.register_blueprint(links.bp)
    app.register_blueprint(orders.bp)
    app.register_blueprint(admin_orders.bp)
    errors.register(app)
    login.unauthorized_handler(auth.unauthorized)
