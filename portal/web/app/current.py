"""What every request reads once and every view and template shares: the settings row."""
from flask import has_request_context, request

from ...settings import Settings


def current_settings():
    """The settings row, read once per request (kept in the WSGI environ, which is per request
    even when an app context outlives it)."""
    if not has_request_context():
        return Settings.current()
    if "rebook.settings" not in request.environ:
        request.environ["rebook.settings"] = Settings.current()
    return request.environ["rebook.settings"]
