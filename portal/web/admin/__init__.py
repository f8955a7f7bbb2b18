"""The back office: every page under /admin, for admins only. The parent blueprint checks that
once, before any admin view runs; each module here adds one area (`admin.<module>.<view>`).
A new admin page goes in the module of its area, or in a new module listed below."""
from flask import Blueprint

from ..app.access import require_role

bp = require_role(Blueprint("admin", __name__, url_prefix="/admin"), "admin")

# The areas join the parent once, at import: a blueprint takes no new children once an app
# has it, and a process may build several apps (tests, `flask shell`).
from . import (activity, api_tokens, availability, booking_details, bookings, business_settings,
               customers, email_templates, emails, integrations, new_booking, new_order, orders,
               push_log, refunds, reports, services, settings, staff, today, waitlist)

for _area in (today, bookings, new_booking, booking_details, emails, customers, new_order, orders,
              refunds, reports, activity, settings, business_settings, availability, services,
              staff, integrations, api_tokens, push_log, email_templates, waitlist):
    bp.register_blueprint(_area.bp)
