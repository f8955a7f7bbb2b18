"""Which language a request speaks (Flask-Babel's locale selector).

A logged-in customer: the language stored on their account; else the browser's
Accept-Language among the languages Rebook speaks; else the business's default language.
Staff pages stay English for now, through the same machinery (the selector says "en").
The catalogues live in translations/ (compiled by `make install`; README's Languages).
"""
from babel import Locale
from flask import has_request_context, request
from flask.globals import _cv_app, _cv_request
from flask_babel import Babel
from flask_login import current_user
from jinja2 import pass_eval_context
from peewee import PeeweeException

from ...kernel import languages
from ...kernel.i18n import bound_template_gettext, translations
from ...kernel.timefmt import RENDER_LANGUAGE, language
from ...messaging.email_context import lasting
from .current import current_settings

babel = Babel()


# Accept-Language header: the best of our languages for it. A pure function of the header's
# text (browsers send a handful of distinct ones); werkzeug parses it afresh each request.
_BROWSER_ANSWERS = {}


def browser_language():
    """The best of Rebook's languages the browser asks for, or None."""
    if not has_request_context():
        return None
    header = request.environ.get("HTTP_ACCEPT_LANGUAGE", "")
    try:
        return _BROWSER_ANSWERS[header]
    except KeyError:
        pass
    answer = languages.known(request.accept_languages.best_match(list(languages.SUPPORTED)))
    if len(_BROWSER_ANSWERS) >= 1024:
        _BROWSER_ANSWERS.clear()
    _BROWSER_ANSWERS[header] = answer
    return answer


def select_locale() -> str:
    ctx = _cv_request.get(None)  # (the request context once, not through its proxies)
    if ctx is None:
        return languages.DEFAULT  # the worker renders under force_locale (messaging/)
    try:
        user = _logged_in_user() if "_user_id" in ctx.session else None
        if user is not None and user.is_authenticated:
            if user.kind != "customer":
                return languages.DEFAULT
            chosen = languages.known(user.language)
            if chosen:
                return chosen
        return browser_language() or languages.known(current_settings().default_language) \
            or languages.DEFAULT
    except PeeweeException:
        # The database is out of reach (the 503 page still renders): the browser's or English.
        return browser_language() or languages.DEFAULT


# Each catalogue's `_` (kernel.i18n.bound_template_gettext: a text without variables is
# looked up and escaped once per catalogue, not on every call; a booking page asks 19 times),
# by the catalogue's identity (Flask-Babel keeps one per language for the process). Held with
# the catalogue so its id cannot be reused.
_BOUND = {}


def _bound(found):
    kept = _BOUND.get(id(found))
    if kept is None or kept[0] is not found:
        if len(_BOUND) >= 64:
            _BOUND.clear()
        kept = _BOUND[id(found)] = (found, bound_template_gettext(found))
        lasting(kept[1])  # as long as its catalogue: called through the kept look-up
    return kept[1]


@pass_eval_context
def template_gettext(eval_ctx, string, **variables):
    """`{{ _("…") }}` in templates: what Jinja's newstyle gettext does (escaped variables,
    always formatted), in one call instead of three, in the request's language."""
    return _bound(translations())(eval_ctx, string, **variables)


def _render_gettext():
    """A template rendered in a request gets the `_` of the catalogue it renders in, looked
    up once for the render (the global above asks for every text), and the language for its
    `when` and `money` filters (kernel/timefmt.RENDER_LANGUAGE); macros imported without the
    context keep the global and ask for the language themselves."""
    bound = _bound(translations())
    return {"_": bound, "gettext": bound, RENDER_LANGUAGE: language()}


def _install_template_gettext(env):
    """Templates translate through the kept translations (after Flask-Babel's init_app)."""
    env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True)
    env.globals["gettext"] = env.globals["_"] = template_gettext


def _logged_in_user():
    """current_user: the user Flask-Login noted for this request in `g`, else its loader
    (flask_login.utils._get_user, without the proxies)."""
    user = _cv_app.get().g.__dict__.get("_login_user")
    return user if user is not None else current_user._get_current_object()


_LOCALES = {}  # language code: its babel Locale, parsed once per process


def _selected_locale():
    """select_locale()'s answer as the Locale Flask-Babel would parse it into (it takes a
    Locale as it is): one object per language for the process instead of a parse per request."""
    code = select_locale()
    locale = _LOCALES.get(code)
    if locale is None and code:
        locale = _LOCALES[code] = Locale.parse(code)
    return locale


def init_app(app):
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(app.root_path + "/../translations"))
    babel.init_app(app, locale_selector=_selected_locale)
    _install_template_gettext(app.jinja_env)
    app.context_processor(_render_gettext)
