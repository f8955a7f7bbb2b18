"""Admin > Availability forms (Flask-WTF: each carries a CSRF token). The weekly hours table
has a variable number of inputs, so it is read by read_week; portal.bookings.hours_admin has the
final say on every value."""
from wtforms import BooleanField, DateTimeLocalField, IntegerField, StringField
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, Regexp

from ...bookings import hours
from ...bookings.availability import STEPS
from ...bookings.hours_admin import MAX_RESCHEDULES, REASON_MAX, UNKNOWN_STAFF
from ...kernel.input_limits import YEARS_MESSAGE, year_ok
from ..forms import Form

CLOCK_MAX = 8  # 'HH:MM:SS'; anything longer is not a time and is not echoed back in full


class FriendlyDateTimeField(DateTimeLocalField):
    """<input type=datetime-local>, saying in words what it expects when it gets garbage."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a date and time, like 2026-12-24 09:00.") from None
        if not year_ok(self.data):  # the calendar's edges overflow in timezone arithmetic
            self.data = None
            raise ValueError(YEARS_MESSAGE)


class WholeNumberField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a whole number.") from None


class StaffChoice(StringField):
    """A fieldworker's id, or blank for the whole business."""

    def __init__(self, label="Who", **kwargs):
        super().__init__(label, validators=[Regexp(r"^\d{0,9}$", message=UNKNOWN_STAFF)],
                         **kwargs)

    @property
    def staff_id(self):
        return int(self.data) if self.data else None


class HoursForm(Form):
    """Whose hours (the week itself is read by read_week); action "reset" drops a
    fieldworker's own hours."""
    staff = StaffChoice()
    action = StringField(validators=[Optional(), AnyOf(("save", "reset"))])


class BookingSettingsForm(Form):
    slot_step_minutes = WholeNumberField("Offer start times every", validators=[
        InputRequired("Choose how often start times are offered."),
        AnyOf(STEPS, message="Choose 15, 30 or 60 minutes.")])
    max_reschedules = WholeNumberField("Reschedules allowed per booking", validators=[
        Optional(), NumberRange(0, MAX_RESCHEDULES, message=f"Enter 0 to {MAX_RESCHEDULES}, or "
                                                            "leave it blank for no limit.")])
    online_booking = BooleanField("Customers may book appointments online")


class BlockForm(Form):
    staff = StaffChoice()
    starts_at = FriendlyDateTimeField("From", validators=[
        InputRequired("Enter when the blocked time starts.")], format="%Y-%m-%dT%H:%M")
    ends_at = FriendlyDateTimeField("Until", validators=[
        InputRequired("Enter when the blocked time ends.")], format="%Y-%m-%dT%H:%M")
    reason = StringField("Reason", validators=[Length(
        max=REASON_MAX, message=f"Please keep the reason to {REASON_MAX} characters.")])


class RowActionForm(Form):
    """A row's delete button: nothing but the token."""


def read_week(formdata):
    """The hours table as {weekday: {"closed": bool, "spans": [(start, end)]}}, text as typed;
    rows left blank are dropped, so span numbers count the filled rows."""
    week = {}
    for day in range(7):
        spans = [(formdata.get(f"start-{day}-{i}", "")[:CLOCK_MAX].strip(),
                  formdata.get(f"end-{day}-{i}", "")[:CLOCK_MAX].strip())
                 for i in range(hours.MAX_SPANS + 1)]
        week[day] = {"closed": bool(formdata.get(f"closed-{day}")),
                     "spans": [pair for pair in spans if any(pair)]}
    return week


def week_text(week):
    """A saved week in read_week's shape, to fill the table."""
    return {day: {"closed": not week.get(day),
                  "spans": [(hours.clock_text(start), hours.clock_text(end))
                            for start, end in week.get(day, [])]}
            for day in range(7)}
