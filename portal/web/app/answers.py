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
Headers whether it holds a Content-Type (a lookup that raises and catches a KeyError); made
from a text and a status code alone (a page, a redirect) it is put together in one step
(Response._made), as werkzeug's constructor would. The app's redirect (flask.redirect) makes
werkzeug's redirect page through it.
"""
import re

from flask import Response as FlaskResponse
from markupsafe import escape
from werkzeug.datastructures import Headers
from werkzeug.datastructures.headers import _str_header_value
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
    _statuses = {}  # status code -> (status line, code), as werkzeug's _clean_status gives
    _content_types = {}  # default mimetype -> its Content-Type, checked as a header value

    def __init__(self, response=None, status=None, headers=None, mimetype=None,
                 content_type=None, direct_passthrough=False):
        if (headers is None and mimetype is None and content_type is None
                and self.default_mimetype is not None):
            kind = type(response)
            if (kind is str or kind is bytes) and self.automatically_set_content_length:
                status = self.default_status if status is None else status
                if type(status) is int:
                    self._made(response, status, direct_passthrough)
                    return
            content_type = get_content_type(self.default_mimetype, "utf-8")
        super().__init__(response, status, headers, mimetype, content_type, direct_passthrough)

    def _made(self, body, status, direct_passthrough):
        """What werkzeug's Response.__init__ makes of a text or bytes body, a status code and
        nothing else (the answer Flask makes from a view's text, a redirect): its default
        Content-Type, then Content-Length, set on new Headers; the status line looked up once
        per code; the body encoded as set_data does (about 25 Python calls an answer)."""
        known = self._statuses.get(status)
        if known is None:
            known = self._statuses[status] = self._clean_status(status)
        content_type = self._content_types.get(self.default_mimetype)
        if content_type is None:
            content_type = self._content_types[self.default_mimetype] = _str_header_value(
                get_content_type(self.default_mimetype, "utf-8"))
        data = body.encode() if type(body) is str else body
        self.headers = Headers()
        self.headers._list = [("Content-Type", content_type), ("Content-Length", str(len(data)))]
        self._status, self._status_code = known
        self.direct_passthrough = direct_passthrough
        self._on_close = []
        self.response = [data]

    def get_wsgi_headers(self, environ):
        status = self.status_code
        if status < 200 or status in (204, 304):
            return super().get_wsgi_headers(environ)
        headers = self.headers
        names = header_names(headers._list)
        if "content-length" not in names or "content-location" in names:
            return super().get_wsgi_headers(environ)
        if "location" in names and not (
                names.count("location") == 1 and not self.autocorrect_location_header
                and _location_kept_as_is(headers[names.index("location")])):
            return super().get_wsgi_headers(environ)
        return headers


    def get_app_iter(self, environ):
        """werkzeug's, except for a body held as one piece (set_data's [bytes]) with nothing to
        call on close: that list itself, as werkzeug hands over a direct_passthrough body
        (its ClosingIterator around a generator would yield the same bytes and close nothing:
        a list has no close, and no callback was registered)."""
        body = self.response
        if (type(body) is list and len(body) == 1 and type(body[0]) is bytes
                and not self._on_close and environ["REQUEST_METHOD"] != "HEAD"):
            status = self._status_code
            if status >= 200 and status != 204 and status != 304:
                return body
        return super().get_app_iter(environ)


def _location_kept_as_is(header):
    """Whether werkzeug would write this Location header back as it is: spelled "Location"
    (werkzeug writes its name so) and a site path iri_to_uri leaves unchanged."""
    name, value = header
    return name == "Location" and _KEPT_AS_IS.fullmatch(value) is not None


def init_app(app):
    app.response_class = Response

    def redirect(location, code=302):
        """Flask's app.redirect (werkzeug.utils.redirect with the app's response class): the
        same page and headers, the body made by the quick constructor above, Location
        appended to the new answer's headers after werkzeug's own check of the value."""
        shown = escape(location) if type(location) is not str \
            or _HTML_SPECIAL.search(location) else location
        response = app.response_class(
            "<!doctype html>\n"
            "<html lang=en>\n"
            "<title>Redirecting...</title>\n"
            "<h1>Redirecting...</h1>\n"
            "<p>You should be redirected automatically to the target URL: "
            f'<a href="{shown}">{shown}</a>. If not, click the link.\n',
            code, mimetype="text/html" if app.response_class is not Response else None)
        response.headers._list.append(("Location", _str_header_value(location)))
        return response

    app.redirect = redirect


_HTML_SPECIAL = re.compile("[&<>\"']")  # what markupsafe's escape rewrites
