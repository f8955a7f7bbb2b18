"""Who may open which area: a check an audience's parent blueprint runs before each of its
views, and decorators for single views in mixed areas."""
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user
from flask_login.config import EXEMPT_METHODS
from flask_login.utils import _get_user


def role_required(*kinds):
    """Logged in as one of `kinds` (customer, admin, fieldworker); others get a 403.
    What flask_login.login_required and then the kind check did, in that order, with the app
    and the person looked up once (through their context proxies it was eleven look-ups, a
    tenth of a customer page's hooks)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            app, user = current_app._get_current_object(), _get_user()
            if request.method in EXEMPT_METHODS or app.config.get("LOGIN_DISABLED"):
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
        if request.method in EXEMPT_METHODS or current_app.config.get("LOGIN_DISABLED"):
            return None
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if current_user.kind not in kinds:
            abort(403)
        return None
    return blueprint


customer_required = role_required("customer")
