"""The back office: every page under /admin, for admins only. The parent blueprint checks that
once, before any admin view runs; each module here adds one area (`admin.<module>.<view>`)."""
from flask import Blueprint

from ..app.access import require_role

bp = require_role(Blueprint("admin", __name__, url_prefix="/admin"), "admin")


def register(app):
    from . import (activity, api_tokens, availability, booking_details, bookings,
                   business_settings, customers, emails, integrations, new_booking, orders,
                   refunds, reports, services, settings, staff)
    for area in (bookings, new_booking, booking_details, emails, customers, orders, refunds,
                 reports, activity, settings, business_settings, availability, services, staff,
                 integrations, api_tokens):
        bp.register_blueprint(area.bp)
    app.register_blueprint(bp)
