"""Fragment-or-page rendering and htmx response headers."""
import json

from flask import make_response, render_template, request


def is_htmx():
    """An htmx request that wants a fragment (a history restore wants the whole page)."""
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def fragment_or_page(fragment, page, status=200, **context):
    """Render the fragment for htmx, the full page otherwise; caches must tell them apart.
    A request aimed at #main (coming back to a list after a row action, app/return_to.py)
    wants the page: its main region replaces the one shown."""
    wants_page = not is_htmx() or request.headers.get("HX-Target") == "main"
    response = make_response(render_template(page if wants_page else fragment, **context),
                             status)
    response.vary.add("HX-Request")
    response.vary.add("HX-Target")
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
