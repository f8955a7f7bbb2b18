"""Security headers on every answer: a strict Content-Security-Policy, no framing, no sniffing,
a referrer that never carries a token away, and no-store wherever a page is personal or holds a
secret.

One after_request hook decides, so a new page is covered without doing anything. A view that
needs another policy (the sandboxed email preview) sets its own header first; the hook keeps it.
"""
import re

from flask.globals import _cv_request
from werkzeug.datastructures.headers import _str_header_value

from .answers import header_names

# Our pages load only our own files: every script and style lives in static/ (no inline code,
# no eval: htmx's eval features are off in base.html's htmx-config). data: images are Pico's
# inline SVG icons (select arrows, checkboxes).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

# An email as sent, shown inside the admin's email page: its inline styles are what mail
# clients need, so they may apply, but nothing else may run or load, the document gets an
# opaque origin (sandbox), and only our own page may frame it.
EMAIL_PREVIEW_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                     "base-uri 'none'; form-action 'none'; sandbox; frame-ancestors 'self'")

# Features Rebook never uses, switched off for us and for anything that could be framed in.
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

HSTS = "max-age=31536000; includeSubDomains"

# Pages whose URL holds a token (signed email links, invitations, resets) and the pages where a
# password is typed. Their Referer keeps only our origin ("https://host/"): the path never
# leaves the browser, not even into our own access logs through the requests for static
# files. no-referrer would be stricter still, but Flask-WTF refuses a form POST over HTTPS that
# has no Referer (WTF_CSRF_SSL_STRICT), so these pages' own forms would stop working.
TOKEN_PATHS = ("/l/", "/account", "/login", "/forgot-password")
# Elsewhere the full Referer goes only to our own origin and nothing to other sites.
REFERRER_ELSEWHERE = "same-origin"
REFERRER_TOKEN_PAGES = "strict-origin"

# Answers a shared or browser cache must never keep, whoever asks.
NO_STORE_PATHS = ("/l/", "/account/", "/api/")


# What a page answer gets when it carries none of these headers yet (most do not), in order,
# for each (token page, HTTPS, personal): appended in one step instead of one by one.
def _page_headers(token_page, https, personal):
    headers = [("Content-Security-Policy", CSP), ("X-Frame-Options", "DENY"),
               ("Referrer-Policy", REFERRER_TOKEN_PAGES if token_page else REFERRER_ELSEWHERE),
               ("Cross-Origin-Opener-Policy", "same-origin"),
               ("Permissions-Policy", PERMISSIONS)]
    if https:
        headers.append(("Strict-Transport-Security", HSTS))
    if personal:
        headers.append(("Cache-Control", "no-store"))
    return [("X-Content-Type-Options", "nosniff"), *headers, ("Vary", "Cookie")]


# Each value checked here, once, as werkzeug checks a value on every append (text, no newline):
# an answer then takes its list with one extend of werkzeug's own list.
PAGE_HEADERS = {(token_page, https, personal): tuple(
                    (name, _str_header_value(value))
                    for name, value in _page_headers(token_page, https, personal))
                for token_page in (False, True) for https in (False, True)
                for personal in (False, True)}
# Headers a view may have set itself (kept or replaced as below); without any of them an
# answer takes PAGE_HEADERS whole.
OURS = frozenset(name.lower() for name, _ in PAGE_HEADERS[True, True, True])


def init_app(app):
    static_prefix = (app.static_url_path or "/static").rstrip("/") + "/"

    @app.after_request
    def _security_headers(response):
        # the request object once, not through the `request` proxy for every look
        ctx = _cv_request.get()
        req = ctx.request
        headers, path = response.headers, req.path
        present = set(header_names(headers._list))  # (werkzeug's list: no iterator)
        static = path.startswith(static_prefix) or req.endpoint in ("static", "favicon")
        if not static and (present.isdisjoint(OURS) or present & OURS == ONLY_VARY):
            # werkzeug's list of (name, value) pairs, extended with values checked at import
            page = PAGE_HEADERS[
                path.startswith(TOKEN_PATHS), bool(app.config.get("SESSION_COOKIE_SECURE")),
                _personal(ctx)]
            if "vary" not in present:
                headers._list.extend(page)
                return response
            # An answer that varies already (htmx's fragment or page): the same appends as
            # below, then Cookie into its Vary
            headers._list.extend(page[:-1])
            _vary_on_cookie(response)
            return response
        # Most answers carry none of these yet: one pass over the headers finds out, and the
        # rest are appended instead of set one by one (each set scans the list again).
        _put(headers, present, "X-Content-Type-Options", "nosniff")
        if static:
            return response  # files: their caching belongs to whoever serves them
        if "content-security-policy" not in present:  # a view's own policy is kept
            headers.add("Content-Security-Policy", CSP)
        if "x-frame-options" not in present:
            headers.add("X-Frame-Options", "DENY")
        _put(headers, present, "Referrer-Policy",
             REFERRER_TOKEN_PAGES if path.startswith(TOKEN_PATHS) else REFERRER_ELSEWHERE)
        _put(headers, present, "Cross-Origin-Opener-Policy", "same-origin")
        _put(headers, present, "Permissions-Policy", PERMISSIONS)
        if app.config.get("SESSION_COOKIE_SECURE"):
            _put(headers, present, "Strict-Transport-Security", HSTS)
        if _personal(ctx):
            _put(headers, present, "Cache-Control", "no-store")
        # Pages differ by who is logged in (and by the CSRF token in their forms).
        if "vary" in present:
            _vary_on_cookie(response)
        else:
            headers.add("Vary", "Cookie")
        return response


ONLY_VARY = frozenset(("vary",))
# A Vary header as werkzeug writes one: tokens joined by ", " (its parse and rewrite give it
# back as it is).
_PLAIN_VARY = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:, [A-Za-z0-9!#$%&'*+.^_`|~-]+)*")


def _vary_on_cookie(response):
    """response.vary.add("Cookie"): werkzeug parses the first Vary header into a set and, when
    Cookie is new to it, writes the set back in that header's place (dropping any other Vary
    header). A single Vary in werkzeug's own spelling gets ", Cookie" appended (unless it
    names Cookie already) without the parse and the rewrite (about 60 Python calls)."""
    pairs = response.headers._list  # (werkzeug's own list: read and written in place)
    names = header_names(pairs)
    if names.count("vary") == 1:
        at = names.index("vary")
        value = pairs[at][1]
        if _PLAIN_VARY.fullmatch(value):
            if "cookie" not in value.lower().split(", "):
                # (tokens and ", " only: nothing werkzeug's check of a value would refuse)
                pairs[at] = ("Vary", value + ", Cookie")
            return
    response.vary.add("Cookie")


def _put(headers, present, name, value):
    """headers[name] = value, without the scan when the answer had no such header."""
    if name.lower() in present:
        headers[name] = value
    else:
        headers.add(name, value)


def _personal(ctx):
    """A logged-in user's answer, or one whose URL carries a token: never kept in a cache.

    Read from the session (Flask-Login's user id), not current_user, so an answer made while
    the database is down still gets its headers without another query."""
    return "_user_id" in ctx.session or ctx.request.path.startswith(NO_STORE_PATHS)


def email_preview(response):
    """Mark an email's HTML as the sandboxed, frame-only-by-us document it is."""
    response.headers["Content-Security-Policy"] = EMAIL_PREVIEW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
