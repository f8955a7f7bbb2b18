"""Who may open which area: decorators for the blueprints."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def role_required(*kinds):
    """Logged in as one of `kinds` (customer, admin, fieldworker); others get a 403."""
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user.kind not in kinds:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


customer_required = role_required("customer")
admin_required = role_required("admin")
staff_required = role_required("admin", "fieldworker")
