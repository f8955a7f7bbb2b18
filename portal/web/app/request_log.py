"""Logs: one logfmt line per request, and the format every other log line shares.

    2026-12-01T10:00:00Z level=INFO logger=rebook.request request_id=3f2a9c0d1e4b5a67
      method=GET route=/l/<token> status=200 duration_ms=4.1

The route is the URL rule that matched, never the path: signed links carry their token in the
path (/l/<token>, /account/invite/<token>, /account/reset/<token>) and a log line must not
grant access to a booking or an account. Unmatched paths log route=- for the same reason, and
the query string is never logged. gunicorn's own access log stays off (deploy/gunicorn.conf.py).

The request id is the caller's X-Request-ID when it is short and plain (a proxy's id keeps
lines of one request together across machines), otherwise a new one; it is sent back on the
response and added to every log line written during the request.
"""
import logging
import os
import re
import sys
import time

from flask import g, has_request_context
from flask.globals import _cv_app, _cv_request

from .answers import header_names

log = logging.getLogger("rebook.request")

SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
HANDLER_NAME = "rebook"


def _quote(value):
    text = str(value)
    if text and not re.search(r'[\s"=]', text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class LogfmtFormatter(logging.Formatter):
    """time level=... logger=... [request_id=...] [fields...] [msg="..."] [exc="..."]."""

    FIELDS = ("method", "route", "status", "duration_ms")

    def format(self, record):
        parts = [time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
                 f"level={record.levelname}", f"logger={record.name}"]
        request_id = getattr(record, "request_id", None)
        if request_id:
            parts.append(f"request_id={request_id}")
        fields = [f"{name}={_quote(getattr(record, name))}" for name in self.FIELDS
                  if hasattr(record, name)]
        parts.extend(fields)
        if not fields:
            parts.append(f"msg={_quote(record.getMessage())}")
        if record.exc_info:
            parts.append(f"exc={_quote(self.formatException(record.exc_info))}")
        return " ".join(parts)


class RequestIdFilter(logging.Filter):
    """Stamp the current request's id on every record logged while it is handled."""

    def filter(self, record):
        if not hasattr(record, "request_id") and has_request_context():
            record.request_id = g.get("request_id")
        return True


def configure_logging(level="INFO"):
    """One stderr handler on the root logger, in logfmt, at `level` (LOG_LEVEL). Idempotent;
    left alone when something else (pytest, an embedding server) configured the root already."""
    # Never peewee's DEBUG lines, whatever LOG_LEVEL says: they carry every query's parameters,
    # and those include outbox email bodies (signed links in clear) and password hashes.
    logging.getLogger("peewee").setLevel(logging.INFO)
    if not isinstance(logging.getLevelName(str(level).upper()), int):
        raise ValueError(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, "
                         f"not {level!r}")
    root = logging.getLogger()
    ours = [h for h in root.handlers if h.get_name() == HANDLER_NAME]
    if not ours and root.handlers:
        return
    if not ours:
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(HANDLER_NAME)
        handler.setFormatter(LogfmtFormatter())
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    root.setLevel(str(level).upper())


def request_id_from(header):
    # os.urandom(8).hex() is secrets.token_hex(8), without its two calls in between
    return header if header and SAFE_ID.fullmatch(header) else os.urandom(8).hex()


def init_app(app):
    configure_logging(app.config.get("LOG_LEVEL", "INFO"))

    # The contexts read once each instead of through the `g` and `request` proxies (a floor
    # request is a few hundred Python calls; each proxy look is three).
    def start():
        g = _cv_app.get().g
        g.request_id = request_id_from(_cv_request.get().request.environ.get("HTTP_X_REQUEST_ID"))
        g.request_started = time.perf_counter()

    def finish(response):
        kept = _cv_app.get().g.__dict__  # (g.get, without its call)
        started = kept.get("request_started")
        request_id = kept.get("request_id") or request_id_from(None)
        headers = response.headers
        if "x-request-id" in header_names(headers._list):  # a view's own: replaced, as set() does
            headers["X-Request-ID"] = request_id
        else:  # set() would scan the list again to find none; the id is SAFE_ID's or hex, so
            # nothing werkzeug's check of a value (add) would refuse
            headers._list.append(("X-Request-ID", request_id))
        if not log.isEnabledFor(logging.INFO):
            return response  # the line would be dropped: spare building it
        req = _cv_request.get().request
        rule = req.url_rule
        log.info("request", extra={
            "request_id": request_id, "method": req.method,
            "route": rule.rule if rule is not None else "-", "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1)
            if started is not None else "-"})
        return response

    # First before and last after every other hook, so the time covers all of them.
    app.before_request_funcs[None] = [start, *app.before_request_funcs.get(None, [])]
    app.after_request_funcs[None] = [finish, *app.after_request_funcs.get(None, [])]
