"""The language a customer's email is written in: theirs if they chose one, else the
business's default. Emails are rendered under it (flask_babel.force_locale), whoever's request
queued them, so an admin's cancellation still reaches a German customer in German.

Already speaking the language asked for (an English customer's own request, the staff's
English), nothing is forced: force_locale would look the same locale and catalogue up again
and put them back after (about fifty Python calls each; a cancel POST asked three times).
Only a locale the request has already worked out counts, so asking never settles one early.
"""
from contextlib import nullcontext
from functools import wraps

from babel import Locale
from flask.globals import _cv_app
from flask_babel import force_locale as _force_locale

from ..kernel import languages
from ..kernel.i18n import gettext, resolved_locale


def speaking(code):
    """`with speaking("de"):` text and templates in that language (a known code)."""
    known = resolved_locale()
    return nullcontext() if known is not None and _is(known, code) else force_locale(code)


def _is(locale, code):
    """str(locale) == code. For a plain language code ("de"): the locale's language is it and
    it has no territory, script, variant or modifier, which is what str() would show, without
    babel building the identifier (four Python calls each time a cancel POST asks)."""
    if "_" in code or "@" in code:
        return str(locale) == code
    return locale.language == code and not (locale.territory or locale.script
                                            or locale.variant or locale.modifier)

# One Locale object per language, kept: force_locale parses the code it is given every time (a
# tenth of rendering an email in the worker), and a Locale it is given is used as it is.
_LOCALES = {code: Locale.parse(code) for code in languages.SUPPORTED}


def force_locale(code):
    """flask_babel.force_locale for one of Rebook's languages."""
    return _force_locale(_LOCALES.get(code) or code)


def language_of(code, settings) -> str:
    """The language for someone who chose `code` ("" for none): theirs if Rebook speaks it,
    else the business's default. The one place this fallback is decided."""
    default = getattr(settings, "default_language", "")
    try:
        return _CHOSEN[code, default]
    except KeyError:
        chosen = _choose(code, default)
    except TypeError:  # (a value no dict can key: worked out each time)
        return _choose(code, default)
    if len(_CHOSEN) >= 256:
        _CHOSEN.clear()
    _CHOSEN[code, default] = chosen
    return chosen


def _choose(code, default):
    return languages.known(code) or languages.known(default) or languages.DEFAULT


# language_of's answers by (chosen code, business default): a pure function of the two texts,
# kept for the process (working it out normalised both codes: a dozen Python calls an email).
_CHOSEN = {}


def language_for(customer, settings) -> str:
    """The same for a customer (None for nobody in particular: the business's default)."""
    return language_of(getattr(customer, "language", ""), settings)


def writing_to(customer, settings):
    """`with writing_to(customer, settings):` subjects and templates in their language."""
    return speaking(language_for(customer, settings))


def writing_in(language):
    """The same for a language already worked out (the worker, from the outbox row)."""
    return speaking(languages.known(language) or languages.DEFAULT)


def for_staff():
    """Staff read English (their pages do too), even when a customer's German request is
    what tells them: `with for_staff():` around their notices and emails."""
    return speaking(languages.DEFAULT)


def to_staff(queue):
    """A function queueing staff emails, made to write them in English (for_staff)."""
    @wraps(queue)
    def in_english(*args, **kwargs):
        with for_staff():
            return queue(*args, **kwargs)
    return in_english


def translated(language, text):
    """gettext(`text`) as written in `language` (a code language_for gave), without forcing the
    locale: the customer's cancellation subject asked for it under writing_to, which looked the
    catalogue up afresh every request (about a hundred Python calls, a fortieth of the cancel
    POST). A text comes out of a catalogue the same every time (Flask-Babel loads each once
    per process and keeps it), so it is kept per app, language and text: the first ask of
    each goes through writing_in and gettext, exactly as before. Format the result after."""
    ctx = _cv_app.get(None)  # (the app context without its proxies)
    if ctx is None:  # (a script's cancel) Flask-Babel's answer there: the text
        with writing_in(language):
            return gettext(text)
    kept = ctx.app.extensions.setdefault("rebook.translated", {})
    key = (language, text)
    said = kept.get(key)
    if said is None:
        with writing_in(language):
            said = gettext(text)
        if len(kept) >= 1024:
            kept.clear()
        kept[key] = said
    return said
