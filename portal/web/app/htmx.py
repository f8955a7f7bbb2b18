"""Fragment-or-page rendering and htmx response headers."""
import json

from flask import make_response, request

from .page_kit import render_page


def is_htmx():
    """An htmx request that wants a fragment (a history restore wants the whole page).
    (The headers read from the environ as werkzeug's request.headers finds them there; its
    get() raises and catches a KeyError for every header a request does not send.)"""
    environ = request.environ
    return (environ.get("HTTP_HX_REQUEST") == "true"
            and environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST") != "true")


def fragment_or_page(fragment, page, status=200, **context):
    """Render the fragment for htmx, the full page otherwise; caches must tell them apart.
    A request aimed at #main (coming back to a list after a row action, app/return_to.py)
    wants the page: its main region replaces the one shown."""
    wants_page = not is_htmx() or request.environ.get("HTTP_HX_TARGET") == "main"
    response = make_response(render_page(page if wants_page else fragment, **context),
                             status)
    # A new answer has no Vary yet: the header written as response.vary.add() twice writes it
    # (each add parses and rewrites the whole header).
    response.headers.add("Vary", "HX-Request, HX-Target")
    return response


def trigger(response, after="", **events):
    """Add HX-Trigger events named for what happened (bookingCancelled); after='Settle' waits
    until the new content is in place."""
    header = f"HX-Trigger-After-{after}" if after else "HX-Trigger"
    response.headers[header] = json.dumps(events)
    return response


def into_modal(response):
    """Send this response to the modal slot, whatever the request targeted."""
    response.headers["HX-Retarget"] = "#modal-root"
    response.headers["HX-Reswap"] = "innerHTML"
    return response
