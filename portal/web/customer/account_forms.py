"""Account forms (Flask-WTF: each carries a CSRF token); portal.accounts has the final say."""
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, TextAreaField


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password")
    confirm = PasswordField("Type it again")


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField("Current password")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email")


class DetailsForm(FlaskForm):
    name = StringField("Name")
    email = EmailField("Email")
    phone = StringField("Phone")
    address = TextAreaField("Address")
    current_password = PasswordField("Current password (only to change your email)")


class ConfirmEmailForm(FlaskForm):
    """Only the CSRF token: opening the link (as mail scanners do) changes nothing."""
