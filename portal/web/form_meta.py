"""What every form's Meta (web/forms.py) answers without Flask-WTF's lookups through the
app's proxies: its CSRF field with the kept token, and the CSRF settings read from the config."""
from flask import current_app
from flask.globals import _cv_app
from flask_wtf import FlaskForm
from flask_wtf.csrf import _FlaskFormCSRF

from . import kept_fields
from .app.page_kit import CSRF_TOKENS


@kept_fields.csrf_setup_keeps_meta  # (Flask-WTF's setup_form: self.meta = form.meta)
class KeptFormCSRF(_FlaskFormCSRF):
    """A form's CSRF field with the token templates get (page_kit.CSRF_TOKENS: one signed token
    per session secret), when the form uses the app's own secret and field name; else
    Flask-WTF's, which signs a new one; in either case only when it is shown
    (kept_fields.LazyTokenField)."""

    field_class = kept_fields.LazyTokenField

    def generate_csrf_token(self, csrf_token_field):
        config = current_app.config
        if self.meta.csrf_secret == (config.get("WTF_CSRF_SECRET_KEY")
                                     or current_app.secret_key) \
                and self.meta.csrf_field_name == (config.get("WTF_CSRF_FIELD_NAME")
                                                  or "csrf_token"):
            return CSRF_TOKENS()
        return super().generate_csrf_token(csrf_token_field)

    def validate_csrf_token(self, form, field):
        """Flask-WTF's, its first test (CSRFProtect checked this request's token already:
        g.csrf_valid) read from the app context without the proxies."""
        ctx = _cv_app.get(None)
        if ctx is not None and ctx.g.__dict__.get("csrf_valid", False):
            return
        super().validate_csrf_token(form, field)


# Flask-WTF's Meta reads these from the app's config through the current_app proxy the first
# time each is asked (a cached_property), and every form gets a new Meta: building a form asked
# for two of them (its kept key, kept_fields._whole_key), about twenty Python calls a form.
# forms.Form notes them (read_config) as it builds each form.
_CONFIG_READ = {name: (getattr(FlaskForm.Meta, name), key, default) for name, key, default in (
    ("csrf", "WTF_CSRF_ENABLED", True), ("csrf_field_name", "WTF_CSRF_FIELD_NAME", "csrf_token"))}


def read_config(meta):
    """Note on `meta` what its cached properties above would read, from the app context once,
    where they are still Flask-WTF's and not set yet (a form's meta={"csrf": False} is kept;
    a Meta of a form class's own answers for itself)."""
    ctx = _cv_app.get(None)
    if ctx is None:
        return
    config, noted, cls = ctx.app.config, meta.__dict__, type(meta)
    for name, (prop, key, default) in _CONFIG_READ.items():
        if name not in noted and getattr(cls, name, None) is prop:
            noted[name] = config.get(key, default)
