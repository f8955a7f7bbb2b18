"""Admin › Reports: the cancellations report and its CSV."""
from flask import Blueprint, Response, redirect, request, stream_with_context, url_for

from ...kernel.clock import utcnow
from ...reports import export
from ...reports.page import cancellations_page, report_filter
from ..app.current import current_settings
from ..app.htmx import fragment_or_page

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.get("/")
def index():
    return redirect(url_for(".cancellations"))


@bp.get("/cancellations")
def cancellations():
    page = cancellations_page(request.args, current_settings(), utcnow())
    response = fragment_or_page("admin/reports/_cancellations.html",
                                "admin/reports/cancellations.html", **page)
    response.headers["HX-Push-Url"] = url_for(".cancellations", **page["filters"].to_args())
    return response


@bp.get("/cancellations.csv")
def cancellations_csv():
    settings = current_settings()
    flt = report_filter(request.args, settings, utcnow())
    name = f"cancellations-{flt.start.isoformat()}-to-{flt.end.isoformat()}.csv"
    return Response(stream_with_context(export.csv_text(flt, settings.currency)),
                    mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
