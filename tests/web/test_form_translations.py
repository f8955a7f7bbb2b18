"""WTForms' own messages (a validator given no message of ours) speak the reader's language:
forms take them from web/forms.WTFORMS_TEXT, each language's catalogue loaded once per process
instead of on every request."""
from pathlib import Path

import portal
from portal.web.forms import WTFORMS_TEXT
from tests.support.account_helpers import _push_request_context, browser  # noqa: F401
from tests.support.forms import csrf_from

TOO_LONG = {"en": "Field cannot be longer than 254 characters.",
            "de": "Feld kann nicht länger als 254 Zeichen sein.",
            "es": "El campo no puede tener más de 254 caracteres."}


def login_with_a_long_email(app, accept):
    client = browser(app)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": "a" * 250 + "@example.com",
                                           "password": "x", "csrf_token": token})
    return response.get_data(as_text=True)


def test_wtforms_messages_follow_each_request_language(app, world):
    # Alternating: a catalogue kept for one language is never handed to another.
    for accept in ("de", "es", "en", "de", "es"):
        html = login_with_a_long_email(app, accept)
        assert TOO_LONG[accept] in html, accept
        others = [text for lang, text in TOO_LONG.items() if lang != accept]
        assert not any(text in html for text in others)
    assert {"de", "es", "en"} <= set(WTFORMS_TEXT.loaded)


def test_outside_a_request_wtforms_speaks_english(app):
    assert WTFORMS_TEXT.gettext("Not a valid integer value.") == "Not a valid integer value."
    assert WTFORMS_TEXT.ngettext("one", "many", 2) == "many"


def test_every_form_is_a_web_forms_form(app):
    # A plain FlaskForm would still work, loading WTForms' catalogue on every request again.
    root = Path(portal.__file__).parent
    wrappers = {root / "web" / "forms.py", root / "web" / "form_meta.py"}  # its CSRF and Meta
    users = [str(path.relative_to(root)) for path in root.rglob("*.py")
             if "FlaskForm" in path.read_text() and path not in wrappers]
    assert users == []
    assert "FlaskForm" in (root / "web" / "forms.py").read_text()  # the one that wraps it
