"""Every API error as application/problem+json (RFC 9457): never an HTML page, never a bare 500.

A problem names its kind twice: `type` (a URN callers may switch on) and `code` (the same word,
shorter). `errors` lists field problems: `pointer` for a body member (#/note), `parameter` for
a query parameter, `header` for a request header.
"""
from flask import current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from ...kernel.errors import DomainError
from . import PREFIX, bp

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:rebook:problem:"
BODY_LIMIT = 64 * 1024  # bytes; no API request needs more than a few hundred

TITLES = {
    400: "Malformed request", 401: "Authentication required", 403: "Not allowed",
    404: "Not found", 405: "Method not allowed", 406: "Not acceptable", 409: "Conflict",
    413: "Request body too large", 415: "Unsupported media type", 422: "Invalid request",
    429: "Too many requests", 500: "Internal error",
}
# What a bare HTTP error means here, and what to do about it.
HTTP_PROBLEMS = {
    400: ("malformed", "The request could not be read. Send well-formed JSON with "
                       "Content-Type: application/json."),
    404: ("not_found", "There is nothing at this address. The endpoints are listed in "
                       f"{PREFIX}/openapi.json."),
    405: ("method_not_allowed", "This address does not take that method; the Allow header "
                                "lists the ones it takes."),
    413: ("too_large", f"The request body is over {BODY_LIMIT // 1024} KB. Send less: no "
                       "request to this API needs that much."),
    429: ("rate_limited", "Too many requests with this token. Wait a minute, then try again."),
    500: ("internal", "Something went wrong on our side and nothing was changed. Try again in "
                      "a moment."),
}
# Domain errors whose code names the field at fault (see portal/integrations/api_reads.py).
FIELD_CODES = {"reason": {"pointer": "#/reason"}, "date": {"parameter": "date"}}


class Problem(Exception):
    """Raise to answer with a problem: status, code, detail, optional field errors, headers."""

    def __init__(self, status, code, detail, errors=None, headers=None):
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.errors, self.headers = errors, headers or {}


def problem_response(status, code, detail, errors=None, headers=None):
    body = {"type": TYPE_PREFIX + code, "title": TITLES.get(status, "Request refused"),
            "status": status, "detail": detail, "code": code}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = MEDIA_TYPE
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():  # each replaces any default of that name
        response.headers[name] = value
    return response


def _from_http(exc):
    status = exc.code or 500
    code, detail = HTTP_PROBLEMS.get(status, ("http_" + str(status),
                                              exc.description or "The request was refused."))
    # Keep only what tells the caller what next (Allow on a 405, Retry-After on a 429).
    headers = {k: v for k, v in exc.get_headers() if k in ("Allow", "Retry-After")}
    return problem_response(status, code, detail, headers=headers)


@bp.errorhandler(Problem)
def _problem(exc):
    return problem_response(exc.status, exc.code, exc.detail, exc.errors, exc.headers)


@bp.errorhandler(DomainError)
def _domain(exc):
    fields = getattr(exc, "fields", None)  # integrations.api_orders.FieldErrors
    if fields:
        return problem_response(exc.status, "invalid", exc.message,
                                [{"pointer": pointer, "detail": detail}
                                 for pointer, detail in fields])
    where = FIELD_CODES.get(exc.code)
    if where:
        return problem_response(exc.status, "invalid", exc.message,
                                [{**where, "detail": exc.message}])
    return problem_response(exc.status, exc.code, exc.message)


@bp.errorhandler(HTTPException)
def _http(exc):
    return _from_http(exc)


for _status in (400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 429):
    # A handler for the code itself wins over class handlers, the app's included.
    bp.register_error_handler(_status, _http)


@bp.errorhandler(Exception)
def _unexpected(exc):
    current_app.logger.exception("unhandled API error")
    return _from_http(_Internal())


class _Internal(HTTPException):
    code = 500


def under_api():
    """Any /api/ address, this version's or not, is for programs: they get problem+json."""
    return request.path == "/api" or request.path.startswith("/api/")


@bp.before_app_request
def _unrouted():
    """No route matched (404) or not with this method (405): the app's handlers would render an
    HTML page, so a path under /api/ answers here, before any view is looked for."""
    exc = request.routing_exception
    if exc is not None and under_api() and getattr(exc, "code", 0) >= 400:
        return _from_http(exc)
    return None


@bp.before_request
def _limit_body():
    request.max_content_length = BODY_LIMIT
