"""Payment and refund forms (Flask-WTF, each with its CSRF token). Amounts stay text here:
billing.money reads them and the billing services have the final say on every rule."""
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from ...billing.payments import REFERENCE_MAX
from ...billing.refunds import REASON_MAX
from ...kernel.input_limits import NOTE_MAX
from ..forms import Form, VersionField

AMOUNT_MAX = 40


def _length(limit, what):
    return Length(max=limit, message=f"Please keep the {what} to {limit} characters.")


class PaymentForm(Form):
    amount = StringField("Amount", validators=[_length(AMOUNT_MAX, "amount")])
    method = StringField("Method", validators=[_length(20, "method")])
    reference = StringField("Reference", validators=[_length(REFERENCE_MAX, "reference")])


class RefundRequestForm(Form):
    amount = StringField("Amount", validators=[_length(AMOUNT_MAX, "amount")])
    reason = TextAreaField("Reason", validators=[_length(REASON_MAX, "reason")])


class DecisionForm(Form):
    """Approve, reject (the note is then required) or mark processed (with a reference)."""
    note = TextAreaField("Note", validators=[_length(NOTE_MAX, "note")])
    reference = StringField("Reference", validators=[_length(REFERENCE_MAX, "reference")])
    version = VersionField()


def first_error(form):
    """The first message a failed form has, to show above the invoice."""
    for errors in form.errors.values():
        if errors:
            return errors[0]
    return "Please check the form."
