"""What a template asks for many times per page, worked out once per process: URLs, the
signed CSRF token and blocks of HTML that show only those (`kept`).

A booking page built about 15 URLs (the navigation, the static files, the booking's own
links) and signed the CSRF token afresh on every request: a fifth of its CPU. Both answers are
pure functions of what they are given, so they are kept:

- `url_for` in templates: the URL werkzeug builds from (endpoint, values) in a request depends
  only on the request's host, script root, scheme and blueprint (for ".x" endpoints), which
  are all part of the key. Calls with `_external`, `_anchor` and the like, values that can't
  be a key, and apps with URL defaults go to Flask's url_for every time, as do errors.
- the CSRF token: with WTF_CSRF_TIME_LIMIT None (config.py) a signed token never expires, so
  the one signed for this session's secret is handed out again instead of signing it with a
  new timestamp; Flask-WTF checks it exactly as before. With a time limit set, every request
  signs its own, as Flask-WTF does.
Both caches are cleared when full; a changed secret key is part of the CSRF key.
"""
from flask import current_app, get_flashed_messages, render_template
from flask.globals import _cv_app, _cv_request
from flask.signals import before_render_template, template_rendered
from flask_login.utils import _get_user, _user_context_processor
from flask_wtf.csrf import generate_csrf

from ...kernel.i18n import current_locale
from ...messaging.email_context import EmailContext, lasting
from ...messaging.rendering import render_flat
from . import template_output

KEPT = 4096  # entries per cache per worker


class KeptUrls:
    def __init__(self, app):
        self.app, self.urls = app, {}

    def place(self):
        """What a URL depends on besides its arguments, fixed once the request is routed:
        worked out on the first call of a request (a page makes about fifteen) and kept on the
        request's context. None: Flask's url_for every time (URL defaults, no request)."""
        ctx = _cv_request.get(None)  # the request's context (request_ctx, without its proxy)
        place = getattr(ctx, "rebook_url_place", False) if ctx is not None else None
        if place is False:
            adapter, defaults = ctx.url_adapter, self.app.url_default_functions
            place = None if adapter is None or any(defaults.values()) else (
                ctx.request.blueprint, adapter.server_name, adapter.script_name,
                adapter.url_scheme, adapter.subdomain)
            ctx.rebook_url_place = place
        return place

    def __call__(self, endpoint, **values):
        app = self.app
        place = self.place()
        if place is None:
            return app.url_for(endpoint, **values)
        try:
            key = (endpoint, tuple(values.items()), place)
            url = self.urls.get(key)
        except TypeError:  # an unhashable value
            return app.url_for(endpoint, **values)
        if url is not None:  # only plain calls are ever kept (below): no need to look again
            return url
        url = app.url_for(endpoint, **values)
        if not any(name[:1] == "_" for name in values):  # _external, _anchor …: each time
            if len(self.urls) >= KEPT:
                self.urls.clear()
            self.urls[key] = url
        return url


class KeptFragments:
    """`{% call kept("nav", kind) %}...{% endcall %}` in a template: the block's HTML rendered
    once per key and kept for the process. For blocks that show only URLs, fixed words and
    the key's values (base.html's navigation and static links: about twenty template calls a
    page). The key is completed with the URLs' place (as KeptUrls) and the request's language
    where Flask-Babel is set up; without a place (URL defaults) the block renders every time."""

    def __init__(self, urls):
        self.urls, self.fragments = urls, {}

    def __call__(self, *key, caller):
        place = self.urls.place()
        if place is None:
            return caller()
        key = (key, place, _language(self.urls.app))
        html = self.fragments.get(key)
        if html is None:
            html = caller()
            if len(self.fragments) >= KEPT:
                self.fragments.clear()
            self.fragments[key] = html
        return html


def _language(app):
    """The request's language when Flask-Babel is set up (a kept block may hold its words)."""
    if "babel" not in app.extensions:
        return None
    return str(current_locale())


class KeptCsrfTokens:
    def __init__(self):
        self.tokens = {}

    def __call__(self):
        # The app, g and session from their contexts once (not through three proxies each
        # call); outside a request Flask-WTF's own answers (and errors) as before.
        app_ctx, req_ctx = _cv_app.get(None), _cv_request.get(None)
        if app_ctx is None or req_ctx is None:
            return generate_csrf()
        app, g, session = app_ctx.app, app_ctx.g, req_ctx.session
        config = app.config
        field = config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
        known = g.__dict__
        if field in known:  # generate_csrf's answer once it has one for the request (a page
            return known[field]  # asks for each of its forms), read without its look-ups
        if config.get("WTF_CSRF_TIME_LIMIT") is not None:
            return generate_csrf()
        secret = config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        raw = session.get(field)
        key = (secret, raw)
        token = self.tokens.get(key) if raw else None
        if token is None:
            token = generate_csrf()  # makes the session's secret when it has none yet
            if len(self.tokens) >= KEPT:
                self.tokens.clear()
            self.tokens[(secret, session.get(field))] = token
        else:
            setattr(g, field, token)  # what generate_csrf keeps for the rest of the request
        return token


CSRF_TOKENS = KeptCsrfTokens()  # templates' and forms' (form_meta.KeptFormCSRF)


def init_app(app):
    """After CSRFProtect.init_app (whose csrf_token this replaces)."""
    app.extensions["rebook.kept_urls"] = urls = KeptUrls(app)
    app.jinja_env.globals["url_for"] = urls
    app.jinja_env.globals["kept"] = KeptFragments(urls)
    app.jinja_env.globals["csrf_token"] = CSRF_TOKENS
    app.jinja_env.globals["get_flashed_messages"] = flashed_messages  # (base.html: every page)
    # Pages call through the context made for emails: `{{ _("…") }}`, url_for, csrf_token(),
    # kept() … each ask Jinja's Context.call for the callable's pass-marker on every call (36
    # calls on a booking page, eight Python calls each); it asks once per callable. The
    # template-side callables are the process's own (may_book too), so the answers stay kept.
    app.jinja_env.context_class = EmailContext
    template_output.init_app(app)  # a run of text and values yielded in one piece
    # Compiled templates kept in a plain dict (Jinja's cache_size=-1) instead of its LRU
    # cache, whose every look-up takes a lock and moves the key along a deque (an extends or
    # include looks a template up: five a booking page). The templates are the app's files
    # (from_string ones are never cached), so the dict cannot grow past them.
    app.jinja_env.cache = {}
    # Flask-WTF also hands its own csrf_token to every template through a context processor,
    # which would hide this global: dropped (its csrf_meta_tag is a global too).
    processors = app.template_context_processors[None]
    processors[:] = [f for f in processors if getattr(f, "__module__", "") != "flask_wtf.csrf"]
    # Flask-Login's current_user through its proxies (has_request_context, `g` twice): the
    # user it noted in `g` for this request, as acting_user() reads it (after login.init_app).
    processors[:] = [_current_user if f is _user_context_processor else f for f in processors]


def flashed_messages(with_categories=False, category_filter=()):
    """Flask's get_flashed_messages, the request's context read once instead of through the
    request_ctx and session proxies (a dozen Python calls a page); the same messages, taken
    from the session once and kept on the request's context as Flask keeps them."""
    ctx = _cv_request.get(None)
    if ctx is None:  # Flask's own answer (its error outside a request)
        return get_flashed_messages(with_categories, category_filter)
    flashes = ctx.flashes
    if flashes is None:
        session = ctx.session
        flashes = session.pop("_flashes") if "_flashes" in session else []
        ctx.flashes = flashes
    if category_filter:
        flashes = [f for f in flashes if f[0] in category_filter]
    if not with_categories:
        return [x[1] for x in flashes]
    return flashes


def _current_user():
    """Flask-Login's context processor: the request's user (loaded if not yet)."""
    ctx = _cv_app.get(None)
    user = None if ctx is None else ctx.g.__dict__.get("_login_user")
    return {"current_user": user if user is not None else _get_user()}


def render_page(template_name, **context):
    """render_template(template_name, **context) with the same names and values reaching the
    template, in one plain dict: Flask's copies the values twice around its context processors
    and Jinja's render copies the environment's globals out of a ChainMap key by key (about
    130 Python calls a render, a booking card's tenth). As the emails render
    (messaging/rendering.render_flat), with the environment's context class. Outside a
    request, or when anything listens to Flask's template signals, Flask's own render."""
    app_ctx, req_ctx = _cv_app.get(None), _cv_request.get(None)
    if (app_ctx is None or req_ctx is None or before_render_template.receivers
            or template_rendered.receivers):
        return render_template(template_name, **context)
    app = app_ctx.app
    values = {}
    processors, sync = app.template_context_processors, app.ensure_sync
    for blueprint in (None, *reversed(req_ctx.request.blueprints)):  # Flask's order
        for processor in processors.get(blueprint, ()):
            values.update(sync(processor)())
    values.update(context)  # the view's own values win, as in Flask
    return render_flat(app.jinja_env.get_template(template_name), values)


def kept_url_for(endpoint, **values):
    """url_for through the app's kept URLs (for Python code that builds the same URLs often)."""
    return current_app.extensions["rebook.kept_urls"](endpoint, **values)


def keep_global_callables(app):
    """Once every global is set (after the blueprints register theirs): the environment's
    callables live as long as the app, so templates' calls find how to call them in a plain
    dict (email_context.lasting), not through the weak dictionary."""
    for value in app.jinja_env.globals.values():
        if callable(value):
            lasting(value)


def drop_repeated_defaults(app):
    """After every blueprint is registered: Flask gives each blueprint its own copy of the
    context processor that adds g, request and session, and runs every copy on the path
    (three for a customer booking page) where the app's own already adds the same three."""
    from flask.templating import _default_template_ctx_processor
    for name, functions in app.template_context_processors.items():
        if name is not None:
            functions[:] = [f for f in functions if f is not _default_template_ctx_processor]
