"""Account forms (Flask-WTF: each carries a CSRF token); portal.accounts has the final say."""
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField, TextAreaField

from ..forms import Form


class SetPasswordForm(Form):
    password = PasswordField(_l("New password"))
    confirm = PasswordField(_l("Type it again"))


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField(_l("Current password"))


class ForgotPasswordForm(Form):
    email = EmailField(_l("Email"))


class DetailsForm(Form):
    name = StringField(_l("Name"))
    email = EmailField(_l("Email"))
    phone = StringField(_l("Phone"))
    address = TextAreaField(_l("Address"))
    current_password = PasswordField(_l("Current password (only to change your email)"))
    # The pages and emails this customer gets (kernel/languages.py; profile checks it)
    language = StringField(_l("Language"))


class ConfirmEmailForm(Form):
    """Only the CSRF token: opening the link (as mail scanners do) changes nothing."""
