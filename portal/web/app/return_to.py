"""Coming back to a list after acting on one of its rows.

A row menu (All bookings) or a closing button (Today) opens a booking's confirm step with
`next=<that list's URL>`; the step keeps it in its URLs, and after the change the person is
back on the same list, same filters and page, with the result message. With htmx the list's
main region is fetched again in place (HX-Location); without JavaScript it is a redirect.
"""
import json
from urllib.parse import urlsplit

from flask import make_response, redirect
from flask.globals import _cv_request

from .htmx import is_htmx

# Only pages that list bookings: `next` is never a way to send someone elsewhere.
LISTS = ("/admin/bookings", "/admin/today")
MAX_LENGTH = 600


def return_to():
    """The list URL this request should go back to, or None (absent, foreign or malformed)."""
    raw = _first_next(_cv_request.get().request) or ""  # (the request without its proxy)
    if not raw or len(raw) > MAX_LENGTH or "\\" in raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or parts.path not in LISTS:
        return None
    return raw


def _first_next(req):
    """request.values.get("next"): the query string's, else (not for a GET) the form's; read
    from the two without werkzeug building their CombinedMultiDict on every POST. An empty or
    absent query string (every POST made from a booking's own page) has no arguments: werkzeug
    parses request.args from QUERY_STRING alone, so it is not parsed for nothing."""
    if req.environ.get("QUERY_STRING") and "next" in req.args:
        return req.args["next"]
    if req.method != "GET" and "next" in req.form:
        return req.form["next"]
    return None


def back_to_list(target, **events):
    """After a change made from a list: the list again (the caller flashed the message)."""
    if not is_htmx():
        return redirect(target)
    response = make_response("", 200)
    # The modal closes on the event; then htmx fetches the list and swaps its main region.
    response.headers["HX-Trigger"] = json.dumps(events)
    response.headers["HX-Location"] = json.dumps(
        {"path": target, "target": "#main", "select": "#main", "swap": "outerHTML"})
    return response
