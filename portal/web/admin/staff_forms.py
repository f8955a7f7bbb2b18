"""Admin > Staff forms (Flask-WTF: each carries a CSRF token). portal.people.staff has the final say."""
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from ...people import staff
from ..forms import Form


class AddFieldworkerForm(Form):
    name = StringField("Name", validators=[
        DataRequired("Enter the fieldworker's name."),
        Length(max=staff.NAME_MAX,
               message=f"Please keep the name to {staff.NAME_MAX} characters.")])
    email = EmailField("Email", validators=[
        DataRequired("Enter their email address."),
        Length(max=staff.EMAIL_MAX, message="That email address is too long.")])
    password = PasswordField("Initial password", validators=[
        DataRequired("Enter an initial password."),
        Length(min=staff.PASSWORD_MIN, max=staff.PASSWORD_MAX,
               message=f"The password needs {staff.PASSWORD_MIN} to {staff.PASSWORD_MAX} "
                       "characters.")])
    can_edit_booking_status = BooleanField("May edit booking status (cancel their own jobs)")


class RowActionForm(Form):
    """A row's activate/deactivate button: nothing but the token."""


class PermissionForm(Form):
    # Explicit on/off rather than a checkbox: an unticked box sends nothing, and a POST that
    # lost its field must not quietly revoke the permission.
    allowed = StringField(validators=[AnyOf(("on", "off"), message="Choose on or off.")])
