"""Each request's URL adapter (Flask's create_url_adapter), with what it shares with the
browser's other requests kept.

Flask binds the URL map to every request's environ: werkzeug works out the host twice (for
request.host and for the adapter), looks for a websocket upgrade, IDNA-encodes the server name
and decodes the script name, path and query, about 60 Python calls a request (a sixth of the
floor's). All of it but the path, method and query follows from the scheme, the Host header,
the server's address and the Connection and Upgrade headers, which a browser sends the same on
every request. Per those values the request's host and the adapter's server name, subdomain
and scheme are kept, worked out the first time by Flask's own create_url_adapter; each request
then gets its own MapAdapter, made as werkzeug's Map.bind makes it, with its own path, method
and query. With SERVER_NAME, TRUSTED_HOSTS, subdomain or host matching set (Rebook sets none),
or a request class trusting hosts of its own, every request is Flask's.
"""
from werkzeug._internal import _wsgi_decoding_dance
from werkzeug.routing import MapAdapter

KEPT = 256  # (scheme, Host, server address, ...) per process; cleared when full


def init_app(app):
    flasks = app.create_url_adapter  # the bound method: Flask's, for everything unusual
    kept = {}  # per app: its URL map and settings

    def create_url_adapter(request):
        config, url_map = app.config, app.url_map
        if (request is None or config["SERVER_NAME"] is not None
                or config["TRUSTED_HOSTS"] is not None or request.trusted_hosts is not None
                or url_map.host_matching or app.subdomain_matching):
            return flasks(request)
        environ = request.environ
        get = environ.get
        key = (environ["wsgi.url_scheme"], get("HTTP_HOST"), get("SERVER_NAME"),
               get("SERVER_PORT"), get("HTTP_CONNECTION"), get("HTTP_UPGRADE"),
               url_map.default_subdomain)
        bound = kept.get(key)
        if bound is None:
            adapter = flasks(request)  # (sets request.host)
            if len(kept) >= KEPT:
                kept.clear()
            kept[key] = (request.host, adapter.server_name, adapter.subdomain,
                         adapter.url_scheme)
            return adapter
        request.host = bound[0]
        # werkzeug's bind_to_environ and Map.bind: the three texts decoded as WSGI strings
        # (an ASCII text decodes to itself), a missing script name or path as "/"
        script, path, query = get("SCRIPT_NAME"), get("PATH_INFO"), get("QUERY_STRING")
        return MapAdapter(
            url_map, bound[1], _decoded(script) if script is not None else "/", bound[2],
            bound[3], _decoded(path) if path is not None else "/", environ["REQUEST_METHOD"],
            _decoded(query) if query is not None else None)

    app.create_url_adapter = create_url_adapter


def _decoded(text):
    return text if text.isascii() else _wsgi_decoding_dance(text)
