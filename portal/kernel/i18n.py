"""Marking text for translation where it is defined but shown later.

`N_("Scheduled")` returns the text unchanged; `pybabel extract` (make translations) collects it,
and the template or view that shows it translates it then (`{{ _(booking.status_label) }}`), in
the reader's language. Messages made during a request use flask_babel's gettext directly.
"""
from types import SimpleNamespace

import flask_babel
from babel import Locale
from flask_babel.speaklater import LazyString
from flask.globals import _cv_app
from jinja2 import pass_eval_context
from markupsafe import Markup


def N_(text: str) -> str:
    return text


# The request's locale and translations without Flask-Babel's lookups. Flask-Babel keeps both
# on a namespace in `g` (`g._flask_babel`: babel_locale, babel_domain) but reaches it through
# several context proxies on every call: a booking page asked for them about 30 times, a tenth
# of its CPU. These read that namespace straight from the app context, and keep the
# translations found for the namespace's (locale, domain) pair; when either changes
# (force_locale, refresh, another domain) the pair no longer matches and Flask-Babel is asked
# again. Outside an app context they are Flask-Babel's own functions.
def _babel_state():
    ctx = _cv_app.get(None)
    return None if ctx is None else ctx.g.__dict__.get("_flask_babel")


def current_locale():
    """flask_babel.get_locale(), read from the request's namespace once it is known (that
    read written out: every time filter and `language()` asks, nine times a booking page)."""
    ctx = _cv_app.get(None)
    state = None if ctx is None else ctx.g.__dict__.get("_flask_babel")
    locale = None if state is None else state.__dict__.get("babel_locale")
    return locale if locale is not None else _first_locale(ctx)


def _first_locale(ctx):
    """flask_babel.get_locale() for its first ask in an app context (ctx): the app's locale
    selector run and its answer noted in the namespace, as Flask-Babel does, with the
    namespace, `g` and the app read from ctx instead of through their proxies (about 50
    Python calls a request). No app context, or no selector: Flask-Babel's own."""
    babel = None if ctx is None else ctx.app.extensions.get("babel")
    if babel is None or babel.locale_selector is None:
        return flask_babel.get_locale()
    known = ctx.g.__dict__
    state = known.get("_flask_babel")
    if state is None:
        state = known["_flask_babel"] = SimpleNamespace()
    locale = state.__dict__.get("babel_locale")
    if locale is None:
        chosen = babel.locale_selector()
        locale = babel.instance.default_locale if chosen is None else Locale.parse(chosen)
        state.babel_locale = locale
    return locale


def resolved_locale():
    """The request's locale if something has asked for it already, else None (and nothing is
    worked out: the locale selector is not run)."""
    state = _babel_state()
    return None if state is None else state.__dict__.get("babel_locale")


def translations():
    """flask_babel.get_translations(), kept for the namespace's locale and domain."""
    ctx = _cv_app.get(None)  # (_babel_state written out: every gettext asks)
    state = None if ctx is None else ctx.g.__dict__.get("_flask_babel")
    if state is not None:
        known = state.__dict__
        kept = known.get("rebook_translations")
        if kept is not None and kept[0] is known.get("babel_locale") \
                and kept[1] is known.get("babel_domain"):
            return kept[2]
    if ctx is None:
        return flask_babel.get_translations()
    locale = current_locale()  # the request's first ask runs the locale selector here
    state = ctx.g._flask_babel
    domain = state.__dict__.get("babel_domain")
    if domain is None:  # as flask_babel.get_domain() finds it
        domain = state.babel_domain = ctx.app.extensions["babel"].instance.domain_instance
    kept = _FOUND.get((id(domain), id(locale)))
    if kept is not None and kept[0] is domain and kept[1] is locale:
        found = kept[2]
    else:
        found = flask_babel.get_translations()
        _FOUND[id(domain), id(locale)] = (domain, locale, found)
        if len(_FOUND) > _FOUND_CAP:
            _FOUND.clear()
    state.rebook_translations = (locale, domain, found)
    return found


# The translations found for each (domain, locale) pair, for the process. Flask-Babel keeps
# the catalogues it loaded per domain for good, but finding them again cost every request
# about 125 Python calls (the domain and locale looked up through its proxies, the Locale
# turned into a string for its key). Keyed by the two objects' identities, each entry holding
# both so neither id can be reused while it is kept; a locale made afresh (force_locale) adds
# an entry, so the table is emptied past a cap instead of growing.
_FOUND = {}
_FOUND_CAP = 256


def gettext(string: str, **variables) -> str:
    """flask_babel.gettext through the kept translations."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables) -> LazyString:
    """flask_babel.lazy_gettext through the kept translations (gettext above): text defined
    at import and shown in a request, such as the message after a cancellation."""
    return LazyString(gettext, string, **variables)



def template_text(eval_ctx, text, variables):
    """A translated text as Jinja's newstyle gettext gives it: escaped variables in an
    autoescaped template, always formatted."""
    if eval_ctx.autoescape:
        text = Markup(text)
    # A text without "%" formats to itself (Markup's % would only escape an empty mapping).
    return text % variables if variables or "%" in text else text


def bound_template_gettext(found):
    """`_` for templates rendered in one language throughout (an email in the worker): the
    same text as web/app/locale.template_gettext, without asking for the translations again
    for every string."""
    ugettext = found.ugettext
    # A text without variables ("Service", "View booking") comes out the same every time for
    # this catalogue: kept, per escaping, so the catalogue is asked once (the worker keeps
    # one `_` per catalogue for every email it renders).
    plain = {}

    @pass_eval_context
    def gettext(eval_ctx, string, **variables):
        if variables:
            return template_text(eval_ctx, ugettext(string), variables)
        key = (string, eval_ctx.autoescape)
        text = plain.get(key)
        if text is None:
            if len(plain) >= 1024:
                plain.clear()
            text = plain[key] = template_text(eval_ctx, ugettext(string), variables)
        return text
    return gettext
