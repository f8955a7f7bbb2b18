"""The app's Response class: werkzeug's, with the headers handed to the server without a copy
when nothing in them needs fixing for the request.

werkzeug's get_wsgi_headers copies every header into a new Headers (each one checked for
newlines again) so that it can make Location absolute, fix Content-Location, drop
Content-Length on a 1xx/204/304 and add Content-Length when it can work it out. A page here
carries a dozen headers (the security ones), so the copy was a tenth of an empty request's
Python calls, and for most answers none of those fixes applies: a 200 or 404 with its
Content-Length already set and no Location. Those answers hand over their own headers (the
caller only turns them into the server's list, never changes them); anything else goes through
werkzeug as before.

A redirect's Location is one fix werkzeug may make: it runs the URL through iri_to_uri (split,
quote each part, join: about 180 Python calls with the copy) and, only with
autocorrect_location_header (off in Flask), joins it to the request's URL. The app's own
redirects go to a path on this site made by url_for, already quoted, so iri_to_uri gives back
the very same text: a Location that is a site path holding only the characters iri_to_uri leaves
as they are (_KEPT_AS_IS) is handed over unchanged too.

A new answer without headers of its own (most: Flask makes one from a view's text) gets the
default content type werkzeug would give it, without werkzeug first asking its new, empty
Headers whether it holds a Content-Type (a lookup that raises and catches a KeyError).
"""
import re

from flask import Response as FlaskResponse
from werkzeug.utils import get_content_type

# A path on this site ("/..." but not "//host" or "/\\host"), with an optional non-empty query
# and no fragment, spelled only with what werkzeug's iri_to_uri keeps unquoted: letters, digits,
# "_.-~" and the path's (query's) safe characters. iri_to_uri gives such a text back unchanged
# (tests/web/test_request_frame.py checks it against werkzeug's).
_KEPT_AS_IS = re.compile(
    r"/(?![/\\])[A-Za-z0-9_.~!$&'()*+,/:;=@%-]*(?:\?[A-Za-z0-9_.~!$&'()*+,/:;=?@%-]+)?")


def header_names(headers):
    """The names of `headers`, lowercased, in order: one join and one lower() for all of them
    (a header name never holds a comma) instead of a lower() per name, as werkzeug's own
    lookups do with every name on every call."""
    return ",".join([name for name, _ in headers]).lower().split(",")


class Response(FlaskResponse):
    def __init__(self, response=None, status=None, headers=None, mimetype=None,
                 content_type=None, direct_passthrough=False):
        if (headers is None and mimetype is None and content_type is None
                and self.default_mimetype is not None):
            content_type = get_content_type(self.default_mimetype, "utf-8")
        super().__init__(response, status, headers, mimetype, content_type, direct_passthrough)

    def get_wsgi_headers(self, environ):
        status = self.status_code
        if status < 200 or status in (204, 304):
            return super().get_wsgi_headers(environ)
        headers = self.headers
        names = header_names(headers)
        if "content-length" not in names or "content-location" in names:
            return super().get_wsgi_headers(environ)
        if "location" in names and not (
                names.count("location") == 1 and not self.autocorrect_location_header
                and _location_kept_as_is(headers[names.index("location")])):
            return super().get_wsgi_headers(environ)
        return headers


def _location_kept_as_is(header):
    """Whether werkzeug would write this Location header back as it is: spelled "Location"
    (werkzeug writes its name so) and a site path iri_to_uri leaves unchanged."""
    name, value = header
    return name == "Location" and _KEPT_AS_IS.fullmatch(value) is not None


def init_app(app):
    app.response_class = Response
