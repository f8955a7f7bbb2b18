"""Admin > Activity: every audit event, filtered by subject, actor, action and day."""
from flask import Blueprint, current_app, request, url_for

from ... import current_settings
from ...activity import ActivityFilter, filter_options, find_events
from ..app.access import admin_required
from ..app.htmx import fragment_or_page

bp = Blueprint("activity", __name__, url_prefix="/admin/activity")

# The page that shows each kind of subject (portal.activity.Subject.page) and the name of its
# argument (Subject.key). A page another part of the app has not registered is left unlinked.
PAGES = {"booking": ("admin.booking", "ref"), "order": ("admin_orders.order", "ref"),
         "customer": ("customers_admin.show", "customer_id"),
         "service": ("services_admin.edit", "service_id"),
         "integration": ("integrations_admin.detail", "integration_id"),
         "staff": ("staff.index", None), "portal_settings": ("settings.portal", None),
         "fees": ("settings.fees", None), "hours": ("availability.hours_page", None),
         "blocked": ("availability.blocked", None)}


@bp.app_template_global()
def subject_url(subject):
    """The URL of the page that shows this subject, or None when there is none."""
    endpoint, arg = PAGES.get(subject.page, (None, None))
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **({arg: subject.key} if arg else {}))


@bp.get("")
@admin_required
def index():
    filters = ActivityFilter.from_args(request.args, current_settings().timezone)
    results = find_events(filters)
    response = fragment_or_page("admin/_activity_table.html", "admin/activity.html",
                                filters=filters, results=results, options=filter_options())
    # As for bookings: the address bar gets the short canonical URL of what is shown.
    response.headers["HX-Push-Url"] = url_for(".index", **filters.to_args(page=results.page))
    return response
