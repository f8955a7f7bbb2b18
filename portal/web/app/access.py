"""Who may open which area: a check an audience's parent blueprint runs before each of its
views, and decorators for single views in mixed areas."""
from functools import wraps

from flask import abort
from flask.globals import _cv_request
from flask_login.config import EXEMPT_METHODS

from .session_guard import logged_in_user


def role_required(*kinds):
    """Logged in as one of `kinds` (customer, admin, fieldworker); others get a 403.
    What flask_login.login_required and then the kind check did, in that order, with the
    request, the app and the person looked up once (through their context proxies it was
    eleven look-ups, a tenth of a customer page's hooks)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            ctx = _cv_request.get()
            app, user = ctx.app, logged_in_user()
            if ctx.request.method in EXEMPT_METHODS or app.config.get("LOGIN_DISABLED"):
                pass
            elif not user.is_authenticated:
                return app.login_manager.unauthorized()
            if user.kind not in kinds:
                abort(403)
            return app.ensure_sync(view)(*args, **kwargs)
        return wrapped
    return decorator


def require_role(blueprint, *kinds):
    """Every view under `blueprint` (nested ones too) answers as `role_required(*kinds)` would:
    the login page for the anonymous (302, or the htmx answer), 403 for another kind."""
    @blueprint.before_request
    def _role_check():
        ctx = _cv_request.get()  # (the request, app and user once, not through the proxies)
        app = ctx.app
        if ctx.request.method in EXEMPT_METHODS or app.config.get("LOGIN_DISABLED"):
            return None
        user = logged_in_user()
        if not user.is_authenticated:
            return app.login_manager.unauthorized()
        if user.kind not in kinds:
            abort(403)
        return None
    return blueprint


customer_required = role_required("customer")
