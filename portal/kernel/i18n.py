"""Marking text for translation where it is defined but shown later.

`N_("Scheduled")` returns the text unchanged; `pybabel extract` (make translations) collects it,
and the template or view that shows it translates it then (`{{ _(booking.status_label) }}`), in
the reader's language. Messages made during a request use flask_babel's gettext directly.
"""


def N_(text: str) -> str:
    return text
