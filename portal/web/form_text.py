"""WTForms' own messages in the request's language, each language's catalogue loaded once per
process (web/forms.Form's translations)."""
from babel import support
from flask import current_app, has_request_context
from wtforms.i18n import messages_path

from ..kernel.i18n import current_locale


class WTFormsText:
    """WTForms' own messages ("This field is required.", "Field cannot be longer than 254
    characters.") in the request's language, as Flask-WTF gives them, with each language's
    catalogue loaded once per process: Flask-WTF reads and parses the catalogue file again on
    every request that builds a form (a number field translates a message as it is made), a
    fifth of a form's cost. The files are part of the installed WTForms and never change
    while a process runs, so nothing needs invalidating."""

    def __init__(self):
        self.loaded = {}

    def catalogue(self):
        """This request's catalogue; None outside a request or without Flask-Babel."""
        if not has_request_context() or "babel" not in current_app.extensions:
            return None
        locale = current_locale()
        key = str(locale)
        found = self.loaded.get(key)
        if found is None:
            found = self.loaded[key] = support.Translations.load(
                messages_path(), [locale], domain="wtforms")
        return found

    def gettext(self, string):
        found = self.catalogue()
        return string if found is None else found.ugettext(string)

    def ngettext(self, singular, plural, n):
        found = self.catalogue()
        if found is None:
            return singular if n == 1 else plural
        return found.ungettext(singular, plural, n)


WTFORMS_TEXT = WTFormsText()
