"""The frame every email shares (templates/emails/_kit.html), rendered once and kept.

`kit.email` and `kit.frame` wrap each email in the same document: the <html lang>, the
business's name, "Hello <name>,", the footer with its contacts. Rendered through Jinja's
macros each time, that frame was about half of an email's HTML, and the outbox worker renders
thousands in a row. Here the kit's own macros (`email_frame`, `document`) are rendered once per
language and business contacts with markers where the name and the body go; each email then
fills in the name (escaped, as the template's `_()` escapes it) and its body between the kept
pieces. `kit.button` is kept the same way per label and kind, its link filled in. The bytes
are the same as the macros'.

The pieces are kept under the values they were made from (language, its catalogue, the
business's name, phone and email), not under a version: a business renamed in another process,
or a customer writing in another language, simply asks for other pieces. The kit template
itself holds them, so a template reloaded from disk starts afresh.
"""
import secrets

from flask import current_app
from markupsafe import Markup, escape

from ..kernel.i18n import translations
from ..kernel.timefmt import language

KIT = "emails/_kit.html"
# The only settings the frame reads; the frame reading another is an error, not a silent
# blank (it would be kept under a key that does not name it).
FIELDS = ("business_name", "contact_phone", "contact_email")
_MAX_KEPT = 256  # pieces per kit; a business renamed many times starts the list afresh
_NAME = f"\x00rebook-name-{secrets.token_hex(8)}\x00"
_BODY = f"\x00rebook-body-{secrets.token_hex(8)}\x00"
_URL = f"\x00rebook-url-{secrets.token_hex(8)}\x00"


class _Contacts:
    """The settings the frame reads, and nothing else."""
    __slots__ = FIELDS

    def __init__(self, settings):
        for field in FIELDS:
            setattr(self, field, getattr(settings, field))

    def __getattr__(self, name):
        raise RuntimeError(f"the email frame reads settings.{name}: add it to "
                           "messaging/email_frame.FIELDS so the kept frame is keyed by it")


def _pieces(env, macro, settings, name):
    """The kit's macro split at the name and body markers: (before name, after name, after
    body), or None when the markers do not come out once each, in order (a translation
    without %(name)s, say): then the macro is rendered for every email."""
    kit = env.get_template(KIT)
    kept = kit.__dict__.setdefault("rebook_frames", {})
    try:
        contacts = _Contacts(settings)
    except AttributeError:  # settings without them: the macro writes its blanks, every time
        return None
    key = (macro, language(), translations(), name is None,
           *(getattr(contacts, f) for f in FIELDS))
    try:
        return kept[key]
    except KeyError:
        pass
    args = (contacts,) if macro == "document" else (contacts, None if name is None else _NAME)
    text = str(getattr(kit.module, macro)(*args, caller=lambda: Markup(_BODY)))
    head, body_mark, tail = text.partition(_BODY)
    before, name_mark, after = head.partition(_NAME)
    ok = (body_mark and _BODY not in tail and _NAME not in tail and _NAME not in after
          and bool(name_mark) == (macro == "email_frame" and name is not None))
    if len(kept) >= _MAX_KEPT:
        kept.clear()
    kept[key] = pieces = (before, after, tail) if ok else None
    return pieces


def email(settings, name=None, caller=None):
    """`{% call kit.email(settings, customer.name) %}…{% endcall %}`: the kit's email_frame
    macro around the call's body."""
    env = current_app.jinja_env
    pieces = _pieces(env, "email_frame", settings, name)
    if pieces is None:
        return env.get_template(KIT).module.email_frame(settings, name, caller=caller)
    before, after, tail = pieces
    who = "" if name is None else escape(name)
    return Markup(f"{before}{who}{after}{caller()}{tail}")


def frame(settings, caller=None):
    """`{% call kit.frame(settings) %}…{% endcall %}`: the kit's document macro around it."""
    env = current_app.jinja_env
    pieces = _pieces(env, "document", settings, None)
    if pieces is None:
        return env.get_template(KIT).module.document(settings, caller=caller)
    before, after, tail = pieces
    return Markup(f"{before}{after}{caller()}{tail}")


def button(url, label, kind="primary"):
    """`kit.button(url, label, kind)`: the kit's button_markup macro, kept per label and kind
    with the link filled in (escaped, as the macro's `{{ url }}` escapes it)."""
    kit = current_app.jinja_env.get_template(KIT)
    kept = kit.__dict__.setdefault("rebook_buttons", {})
    shown = str(escape(label))  # what the macro's {{ label }} writes
    key = (shown, kind)
    pieces = kept.get(key, False)
    if pieces is False:
        text = str(kit.module.button_markup(_URL, Markup(shown), kind))
        before, mark, after = text.partition(_URL)
        pieces = (before, after) if mark and _URL not in after else None
        if len(kept) >= _MAX_KEPT:
            kept.clear()
        kept[key] = pieces
    if pieces is None:
        return kit.module.button_markup(url, label, kind)
    return Markup(f"{pieces[0]}{escape(url)}{pieces[1]}")


def init_app(app):
    app.jinja_env.globals["kept_email_frame"] = email
    app.jinja_env.globals["kept_document_frame"] = frame
    app.jinja_env.globals["kept_button"] = button
