"""Flask-WTF forms: every form carries a CSRF token."""
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, IntegerField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

NOTE_MAX = 255


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email address."),
                                            Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."),
                                                     Length(max=200)])
    next = HiddenField()


class CancelForm(FlaskForm):
    note = TextAreaField(
        "Cancellation note",
        validators=[Optional(), Length(max=NOTE_MAX,
                                       message=f"Please keep the note to {NOTE_MAX} characters.")])
    version = IntegerField(validators=[Optional()])
