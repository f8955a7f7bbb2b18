"""Admin > Activity: every audit event, filtered by subject, actor, action and day."""
from flask import Blueprint, current_app, request, url_for

from ...audit.activity import ActivityFilter, filter_options, find_events
from ..app.current import current_settings
from ..app.htmx import fragment_or_page

bp = Blueprint("activity", __name__, url_prefix="/activity")

# The page that shows each kind of subject (portal.audit.activity.Subject.page) and the name of its
# argument (Subject.key). A page another part of the app has not registered is left unlinked.
PAGES = {"booking": ("admin.bookings.show", "ref"), "order": ("admin.orders.show", "ref"),
         "customer": ("admin.customers.show", "customer_id"),
         "service": ("admin.services.edit", "service_id"),
         "integration": ("admin.integrations.show", "integration_id"),
         "staff": ("admin.staff.index", None), "portal_settings": ("admin.settings.portal", None),
         "fees": ("admin.settings.fees", None), "hours": ("admin.availability.hours_page", None),
         "blocked": ("admin.availability.blocked", None),
         "emails": ("admin.email_templates.index", None)}


@bp.app_template_global()
def subject_url(subject):
    """The URL of the page that shows this subject, or None when there is none."""
    endpoint, arg = PAGES.get(subject.page, (None, None))
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **({arg: subject.key} if arg else {}))


@bp.get("")
def index():
    filters = ActivityFilter.from_args(request.args, current_settings().timezone)
    results = find_events(filters)
    response = fragment_or_page("admin/_activity_table.html", "admin/activity.html",
                                filters=filters, results=results, options=filter_options())
    # As for bookings: the address bar gets the short canonical URL of what is shown.
    response.headers["HX-Push-Url"] = url_for(".index", **filters.to_args(page=results.page))
    return response
