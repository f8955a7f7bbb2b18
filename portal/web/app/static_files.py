"""Static files under versioned URLs, cached by browsers and proxies for a year.

Templates link `static_url('app.css')`, i.e. /static/app.css?v=<first 12 hex of its SHA-256>.
The hash is computed once per file per process, so a deploy (which restarts the server)
changes the URL of every file whose content changed, and a browser never keeps a stale copy.
Only a request whose `v` matches the file's current hash gets the year-long, immutable cache;
an unversioned or outdated URL is served revalidated as before (no-cache, ETag).
"""
import hashlib

from flask import request
from werkzeug.security import safe_join

from .page_kit import kept_url_for

YEAR = 365 * 24 * 3600
FAVICON = "favicon.svg"
# Service workers: file -> the scope it may control. A worker's scope may not reach above its
# own folder (/static/) unless the answer says so; the staff pages live under /fieldworker/.
# A worker runs under the policy of its own answer (security_headers skips static files), so
# it gets one: it loads nothing and connects nowhere.
SERVICE_WORKERS = {"push-sw.js": "/fieldworker/"}
WORKER_CSP = "default-src 'none'"


def init_app(app):
    versions = {}

    def version(filename):
        """The content hash of a file in static/, or None when there is no such file."""
        if filename not in versions:
            path = safe_join(app.static_folder, filename)
            try:
                with open(path, "rb") as f:
                    versions[filename] = hashlib.sha256(f.read()).hexdigest()[:12]
            except (OSError, TypeError):  # TypeError: safe_join refused the name (None)
                return None  # not cached: the file may appear (make assets) later
        return versions[filename]

    def static_url(filename):
        return kept_url_for("static", filename=filename, v=version(filename))

    def static(filename):
        response = app.send_static_file(filename)
        current = version(filename)
        if current is not None and request.args.get("v") == current:
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        if filename in SERVICE_WORKERS:
            response.headers["Service-Worker-Allowed"] = SERVICE_WORKERS[filename]
            response.headers["Content-Security-Policy"] = WORKER_CSP
        return response

    def favicon():
        # Browsers and tools that ignore <link rel="icon"> still ask for /favicon.ico.
        response = app.send_static_file(FAVICON)
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = 24 * 3600
        return response

    app.jinja_env.globals["static_url"] = static_url
    # Flask registered the "static" endpoint in Flask(); serve it through the function above.
    app.view_functions["static"] = static
    app.add_url_rule("/favicon.ico", "favicon", favicon)
