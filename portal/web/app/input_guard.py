"""Input hygiene for every HTML page and form, before any view or query sees the request.

What is refused here breaks the machinery rather than a rule, so no form needs to know about
it: a NUL (PostgreSQL refuses it in text) or another control character, a value longer than
any field takes, a body past MAX_CONTENT_LENGTH, an id past what the database holds. The JSON
API (/api/) reads its own input and answers in problem+json (portal/web/api/inputs.py), so it
is left to that; the int converter and the body limit (the API sets a smaller one) apply to it too.
"""
import re
from urllib.parse import parse_qsl

from flask import Request
from flask.globals import _cv_request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.routing import IntegerConverter, UnicodeConverter
from werkzeug.wsgi import LimitedStream

from ...kernel.input_limits import BODY_MAX, FIELD_MAX, MAX_ID
from .errors import error_response

# C0 and C1 controls and DEL, except tab, LF and CR (a textarea sends CR LF); lone surrogates
# can't be stored as UTF-8. The API's inputs.CONTROL is the same set without C1.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Longest path segment a <name> in a route takes: booking refs are 12 characters, signed
# links and account tokens under 200.
SEGMENT_MAX = 512


class IdConverter(IntegerConverter):
    """<int:...> matches only ids the database can hold: 1..MAX_ID in at most 10 ASCII digits.
    Anything else (0, 2**63, 10**30, 5,000 digits) is no such address: 404, as for a missing
    row, without reaching a query (SQLite overflows past 2**63, PostgreSQL past 2**31)."""
    regex = "[0-9]{1,10}"

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        # A route's own narrower range still applies; never a wider one, never signed.
        super().__init__(map, fixed_digits, _higher(min, 1), _lower(max, MAX_ID))


def _higher(value, floor):
    return floor if value is None or value < floor else value


def _lower(value, ceiling):
    return ceiling if value is None or value > ceiling else value


class SegmentConverter(UnicodeConverter):
    """The default <name>: one path segment of printable characters, at most SEGMENT_MAX."""

    def __init__(self, map, minlength=1, maxlength=SEGMENT_MAX, length=None):
        super().__init__(map, minlength, _lower(maxlength, SEGMENT_MAX), length)
        self.regex = self.regex.replace("[^/]", "[^/\x00-\x1f\x7f-\x9f]", 1)


def _shown(name):
    """A field's name as quoted back: control characters dropped, cut short."""
    name = CONTROL.sub("", name)
    return name if len(name) <= 40 else name[:40] + "…"


def problem(pairs):
    """What is wrong with these (name, value) pairs, in words, or None."""
    for name, value in pairs:
        if CONTROL.search(name) or len(name) > 200:
            return "The form sent a field name that can't be used. Reload the page and try again."
        if CONTROL.search(value):
            return (f"“{_shown(name)}” contains a control character (such as a NUL byte) that "
                    "can't be stored. Remove it, or retype the text instead of pasting it, and "
                    "try again.")
        if len(value) > FIELD_MAX:
            return (f"“{_shown(name)}” is too long: no field here takes more than "
                    f"{FIELD_MAX:,} characters. Shorten it and try again.")
    return None


def _pairs(multidict):
    return ((name, value) for name, values in multidict.lists() for value in values)


URLENCODED = "application/x-www-form-urlencoded"
# A body up to this long holds no name (at most 200) or value (FIELD_MAX) too long to take.
CLEAN_MAX = min(200, FIELD_MAX)


def _form(req, app):
    """(req.form, whether it is known to pass problem()): req.form as werkzeug's parser fills
    it (with req.stream and req.files), for the body every page's form sends: URL-encoded,
    with a plain Content-Length. Werkzeug's way there (the mimetype parsed, a parser built,
    the size limits read through the app proxy, the stream wrapped) is about 160 Python
    calls, most of a cancel POST's input cost; this is the same steps for this one case. Anything else (multipart, chunked, a length werkzeug would
    question, debug mode, a body already read) is left to werkzeug."""
    environ, kept = req.environ, req.__dict__
    length = environ.get("CONTENT_LENGTH")
    if environ.get("CONTENT_TYPE") != URLENCODED or not length or not length.isdigit() \
            or not length.isascii() or "HTTP_TRANSFER_ENCODING" in environ or app.debug \
            or "form" in kept or "stream" in kept or "_cached_data" in kept or req.shallow \
            or type(req)._load_form_data is not Request._load_form_data \
            or req.form_data_parser_class is not FormDataParser:
        return req.form, False
    limit = req._max_content_length
    if limit is None:
        limit = app.config["MAX_CONTENT_LENGTH"]
    length = int(length)
    if limit is not None and length > limit:
        raise RequestEntityTooLarge()  # (werkzeug's get_input_stream)
    stream = environ["wsgi.input"]
    if "wsgi.input_terminated" in environ:  # the server ends the body (gunicorn)
        if limit is not None:
            stream = LimitedStream(stream, limit, is_max=True)
    else:
        stream = LimitedStream(stream, length)
    storage = req.parameter_storage_class
    clean = False
    try:  # (FormDataParser: a body that is not UTF-8 is no form at all)
        text = stream.read().decode()
        if len(text) <= CLEAN_MAX and "%" not in text and "+" not in text:
            # parse_qsl's own steps for a text with nothing to unquote (most forms: a
            # version, a CSRF token, a choice): split on "&", blank parts dropped, a part
            # without "=" a blank value. Short and free of control characters, every name and
            # value in it passes problem() below.
            form = storage([part.partition("=")[::2] for part in text.split("&") if part])
            clean = CONTROL.search(text) is None
        else:
            form = storage(parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote"))
    except ValueError:
        form = storage()
    kept["stream"], kept["form"], kept["files"] = stream, form, storage()
    return form, clean


def check_request():
    """before_request: refuse bad input with the error page (or the htmx modal); None to go on.
    Nothing has been read from or written to the database yet."""
    ctx = _cv_request.get()
    req = ctx.request  # once, not through the `request` proxy each time
    path = req.path
    if path == "/api" or path.startswith("/api/"):
        return None  # its converters and inputs.py refuse the same, as problem+json
    if CONTROL.search(path):
        return error_response(404)
    environ = req.environ
    # Most requests have no query string and no body: then args and form are empty, and
    # parsing them only to find that out was most of this guard's cost.
    message = problem(_pairs(req.args)) if environ.get("QUERY_STRING") else None
    if message:
        return error_response(400, message + " Nothing was changed.")
    if not environ.get("CONTENT_TYPE"):
        return None  # werkzeug parses no form (and reads no body) without a content type
    # Reading the form enforces MAX_CONTENT_LENGTH (413 past it). A file part's field name is
    # checked like any other; no form here takes a file, and none is ever read.
    form, clean = _form(req, ctx.app)
    message = None if clean else problem(_pairs(form)) \
        or problem((name, "") for name in req.files.keys())
    if message:
        return error_response(422, message + " Nothing was changed.")
    return None


def init_app(app):
    """Register the converters (before any route is added) and the guard (before CSRF and
    the database connection, so refused input costs no query)."""
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default is no limit at all
        app.config["MAX_CONTENT_LENGTH"] = BODY_MAX
    converters = app.url_map.converters
    converters["int"] = IdConverter
    converters["default"] = converters["string"] = SegmentConverter
    app.before_request(check_request)
