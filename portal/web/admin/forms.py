"""Back-office forms for services, customers, new bookings, booking details and the business
profile (Flask-WTF: each carries a CSRF token). Length limits here put the message next to
the field; the domain modules have the final say on every value."""
from wtforms import BooleanField, EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ...kernel.errors import InvalidInput
from ...people.contact_details import ADDRESS_MAX, EMAIL_MAX, NAME_MAX, PHONE_MAX
from ..forms import Form, IdField, IdListField, RepeatForm, VersionField

NOTES_MAX = 2000


def _max(limit, what):
    return Length(max=limit, message=f"Please keep {what} to {limit} characters.")


def field_error(form, exc):
    """Put a domain error on the field it names; True when it found one."""
    if exc.code in form:
        form[exc.code].errors = [*form[exc.code].errors, exc.message]
        return True
    return False


def first_error(form):
    return next((e for errors in form.errors.values() for e in errors), None)


def check(form):
    """Validate (CSRF included) or raise InvalidInput with the first problem."""
    if not form.validate_on_submit():
        raise InvalidInput(first_error(form) or "Please check the form.")


class ServiceForm(Form):
    name = StringField("Name", validators=[DataRequired("Give the service a name."),
                                           _max(120, "the name")])
    duration_minutes = StringField("Duration (minutes)", validators=[
        DataRequired("Enter the duration in minutes."), Length(max=10)])
    price = StringField("Price", validators=[DataRequired("Enter a price (0 for free)."),
                                             Length(max=40)])
    active = BooleanField("Active: offered in the booking pickers")
    # Checked server-side (portal.bookings.catalog): ids of fieldworkers.
    staff = IdListField("Fieldworkers who do it", message="Choose fieldworkers from the list.")


class CustomerForm(Form):
    name = StringField("Name", validators=[DataRequired("Enter the customer's name."),
                                           _max(NAME_MAX, "the name")])
    email = EmailField("Email", validators=[DataRequired("Enter the customer's email address."),
                                            _max(EMAIL_MAX, "the email address")])
    phone = StringField("Phone", validators=[_max(PHONE_MAX, "the phone number")])
    address = TextAreaField("Address", validators=[_max(ADDRESS_MAX, "the address")])
    may_book_online = BooleanField("May book online")


class NewBookingForm(RepeatForm):
    """The POST half of New booking: who (a chosen customer, or a new one), what and when."""
    customer = IdField(validators=[Optional()], message="Choose a customer from the list.")
    new_name = StringField("Name", validators=[_max(NAME_MAX, "the name")])
    new_email = EmailField("Email", validators=[_max(EMAIL_MAX, "the email address")])
    new_phone = StringField("Phone", validators=[_max(PHONE_MAX, "the phone number")])
    service = IdField(validators=[InputRequired("Choose a service.")],
                      message="Choose a service from the list.")
    fieldworker = IdField(validators=[Optional()], message="Choose a fieldworker from the list.")
    date = HiddenField(validators=[Length(max=10)])
    start = StringField("Time", validators=[DataRequired("Pick one of the free times."),
                                            Length(max=40)])
    address = TextAreaField("Address of the visit", validators=[_max(ADDRESS_MAX,
                                                                     "the address")])
    notes = TextAreaField("Notes for the fieldworker", validators=[_max(NOTES_MAX, "the notes")])


class BookingDetailsForm(Form):
    version = VersionField([InputRequired("Reload the page and try again.")])
    address = TextAreaField("Address of the visit", validators=[_max(ADDRESS_MAX,
                                                                     "the address")])
    notes = TextAreaField("Notes for the fieldworker", validators=[_max(NOTES_MAX, "the notes")])
    fieldworkers = IdListField("Fieldworkers", message="Choose fieldworkers from the list.")


class BusinessProfileForm(Form):
    business_name = StringField("Business name", validators=[
        DataRequired("Enter the business's name."), _max(120, "the name")])
    contact_phone = StringField("Contact phone", validators=[_max(PHONE_MAX,
                                                                  "the phone number")])
    contact_email = StringField("Contact email", validators=[_max(EMAIL_MAX,
                                                                  "the email address")])
    timezone = StringField("Timezone", validators=[DataRequired("Choose a timezone."),
                                                   Length(max=64)])
    currency = StringField("Currency", validators=[DataRequired("Choose a currency."),
                                                   Length(max=3)])


class ActionForm(Form):
    """A button that acts (send the invitation again): nothing but the token."""
