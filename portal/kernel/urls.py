"""Absolute URLs for emails, built without a request (emails are also sent from the CLI)."""
from urllib.parse import urlsplit

from flask import current_app


def _adapter():
    """The URL map bound to BASE_URL, kept on the app: binding it took as long as building
    the URL, twice an email (an adapter only reads the map, so sharing one is safe)."""
    app = current_app._get_current_object()
    base = app.config["BASE_URL"]
    kept = app.extensions.get("rebook.external_urls")
    if kept is None or kept[0] != base:
        parts = urlsplit(base)
        kept = app.extensions["rebook.external_urls"] = (base, app.url_map.bind(
            parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http"), {})
    return kept


def external_url(endpoint, **values):
    _, adapter, fixed = _adapter()
    if values:
        return adapter.build(endpoint, values, force_external=True)
    # A URL with no values ("book a new visit") is the same every time for this BASE_URL.
    url = fixed.get(endpoint)
    if url is None:
        url = fixed[endpoint] = adapter.build(endpoint, values, force_external=True)
    return url
