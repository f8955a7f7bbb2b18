"""Flask-WTF forms: every form carries a CSRF token and is a `Form` (below). IdField and
IdListField are the shared types for ids and versions: outside 1..MAX_ID is a field error,
never a query."""
from flask import current_app
from flask.globals import _cv_app, _cv_request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS, _Auto
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict
from wtforms import (BooleanField, EmailField, HiddenField, IntegerField, PasswordField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.form import BaseForm
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..kernel.input_limits import NOTE_MAX, is_id
from . import kept_fields
from .form_meta import KeptFormCSRF, read_config
from .form_text import WTFORMS_TEXT, WTFormsText  # noqa: F401 (WTFormsText: where it was)


class Form(FlaskForm):
    """Every form's base: Flask-WTF's, with WTForms' messages through WTFORMS_TEXT, and its
    fields copied whole from a kept form of its class when they are all plain
    (kept_fields.made_whole; wtforms.Form.__init__ otherwise, which this follows)."""

    def __init__(self, formdata=_Auto, obj=None, prefix="", data=None, meta=None, **kwargs):
        meta_obj = self._wtforms_meta()
        if meta is not None and isinstance(meta, dict):
            meta_obj.update_values(meta)
        read_config(meta_obj)
        keepable = meta is None or (isinstance(meta, dict) and set(meta) <= {"csrf"})
        if not (keepable and kept_fields.made_whole(self, meta_obj, prefix)):
            BaseForm.__init__(self, self._unbound_fields, meta=meta_obj, prefix=prefix)
            if keepable:
                kept_fields.keep_whole(self, meta_obj)
        # as wtforms.Form's setattr per field: fields hide the class attributes (plain values
        # on the instance; a form class's attributes are unbound fields, never descriptors)
        self.__dict__.update(self._fields)
        self.process(formdata, obj, data=data, **kwargs)

    # Processing and validating: the plain fields' steps taken by kept_fields' loops (a POST's
    # fields come from the request alone); with obj, data or filters, WTForms' own.
    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        lean = kept_fields.lean_fields(self)
        if lean is None or obj is not None or data is not None or extra_filters or kwargs \
                or self._parent_form is not None:
            return super().process(formdata, obj, data, extra_filters, **kwargs)
        kept_fields.process(self, self.meta.wrap_formdata(self, formdata), lean)

    def validate(self, extra_validators=None):
        if extra_validators is None and (lean := kept_fields.lean_fields(self)) is not None:
            return kept_fields.validate(self, lean)
        return super().validate(extra_validators)

    def is_submitted(self):  # Flask-WTF's, the request read without its proxy
        ctx = _cv_request.get(None)
        return ctx is not None and ctx.request.method in SUBMIT_METHODS

    class Meta:
        def wrap_formdata(self, form, formdata):
            """Flask-WTF's, the request read once rather than through its proxy each time."""
            if formdata is not _Auto:
                return formdata
            ctx = _cv_request.get(None)
            if ctx is None or ctx.request.method not in SUBMIT_METHODS:
                return None
            req = ctx.request
            # once parsed (the input guard has), werkzeug keeps form and files in the
            # request's __dict__, where its cached properties would look them up
            parsed = req.__dict__
            files = parsed["files"] if "files" in parsed else req.files
            form = parsed["form"] if "form" in parsed else req.form
            if files:
                return CombinedMultiDict((files, form))
            if form:
                return form
            if req.is_json:
                return ImmutableMultiDict(req.get_json())
            return None

        def get_translations(self, form):
            ctx = _cv_app.get(None)  # (the app's config without its proxy: every form asks)
            config = ctx.app.config if ctx is not None else current_app.config
            if not config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return WTFORMS_TEXT

        csrf_class = KeptFormCSRF  # the kept token (form_meta.py)

        def bind_field(self, form, unbound_field, options):
            return kept_fields.bind(form, unbound_field, options)  # plain fields: a kept copy


@kept_fields.plain  # its constructor only stores the message and the minimum
class IdField(IntegerField):
    """A row's id (hidden or chosen from a list): ASCII digits, 1..MAX_ID. Anything else
    leaves data None and says `message`, as the list it came from can't have offered it.
    `minimum=0` for a version: 0 is merely stale (409 from the service), not malformed."""

    def __init__(self, label=None, validators=None,
                 message=_l("Reload the page and try again."),
                 minimum=1, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message, self.minimum = message, minimum

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        raw = valuelist[0].strip()
        if not (is_id(raw) or (self.minimum == 0 and raw.isascii() and raw.isdigit()
                               and int(raw) == 0)):
            self.data = None
            raise ValueError(self.message)
        self.data = int(raw)


def VersionField(validators=None, **kwargs):  # noqa: N802 (a field type, named like one)
    """The version a page was loaded with (optimistic locking)."""
    return IdField(validators=validators or [Optional()], minimum=0, **kwargs)


class IdListField(SelectMultipleField):
    """Several ids (fieldworkers ticked in a list); only well-formed ones are kept in data, so a
    page shown again with the error never queries a forged one."""

    def __init__(self, label=None, validators=None, message=_l("Choose from the list."),
                 **kwargs):
        super().__init__(label, validators, choices=[], validate_choice=False, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        self.data = [value for value in valuelist if is_id(value)]
        if len(self.data) != len(valuelist):
            raise ValueError(self.message)


def form_error(form):
    """The first problem of a submitted form, to show above it: a hidden field (a reason's or
    version's id) has nowhere else to say it; None for a form shown the first time."""
    if not form.is_submitted():
        return None
    return next((e for errors in form.errors.values() for e in errors), None)


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address.")),
                                            Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")),
                                                     Length(max=200)])
    next = HiddenField()


class CancelForm(Form):
    note = TextAreaField(
        _l("Cancellation note"),
        validators=[Optional(), Length(max=NOTE_MAX, message=_l(
            "Please keep the note to %(most)s characters.", most=NOTE_MAX))])
    reason = IdField(_l("Reason"), validators=[Optional()],
                     message=_l("Choose a reason from the list."))
    version = VersionField()
    # Admins only: add the default fee (prefilled, editable) to the invoice.
    add_fee = BooleanField("Add a cancellation fee to the invoice")
    fee = StringField("Fee amount", validators=[Length(max=40)])
    fee_default = HiddenField(validators=[Length(max=40)])  # the amount offered (chosen_fee)
    # A visit of a series: which visits (flows/series.py), and the versions the step showed.
    scope = StringField(_l("Which visits"), validators=[Length(
        max=10, message=_l("Choose which visits to cancel from the list."))])
    versions_following = HiddenField(validators=[Length(max=1500)])
    versions_all = HiddenField(validators=[Length(max=1500)])


class RescheduleForm(Form):
    """The chosen start (UTC ISO, from the radio buttons) and, for admins, the fieldworker."""
    start = StringField(_l("New time"), validators=[
        DataRequired(_l("Please pick one of the times.")), Length(max=40)])
    version = VersionField()
    fieldworker = IdField("Fieldworker", validators=[Optional()],
                          message="Choose a fieldworker from the list.")
    # A visit of a series: which visits move by the same shift (flows/series.py).
    scope = StringField(_l("Which visits"), validators=[Length(
        max=10, message=_l("Choose which visits to move from the list."))])
    versions_following = HiddenField(validators=[Length(max=1500)])
    versions_all = HiddenField(validators=[Length(max=1500)])


class RepeatForm(Form):
    """The Repeat fieldset of a booking form (a recurring series): read by
    web/flows/repeat.py, checked by the domain (bookings/series_rules.py)."""
    repeat = StringField(_l("Repeat"), validators=[Length(max=10)])
    repeat_every = StringField(_l("Every"), validators=[Length(max=4)])
    repeat_end = StringField(_l("Ends"), validators=[Length(max=10)])
    repeat_count = StringField(_l("Number of visits"), validators=[Length(max=4)])
    repeat_until = StringField(_l("Last day"), validators=[Length(max=10)])


class BookForm(RepeatForm):
    service = IdField(_l("Service"), validators=[InputRequired(_l("Choose a service."))],
                      message=_l("Choose a service from the list."))
    start = StringField(_l("Time"), validators=[DataRequired(_l("Please pick one of the times.")),
                                                Length(max=40)])


class StatusForm(Form):
    """Edit booking > status: no-show or completed (cancelling has its own form)."""
    status = StringField("Status", validators=[DataRequired("Choose a status.")])
    note = TextAreaField(
        "Note",
        validators=[Optional(), Length(max=NOTE_MAX,
                                       message=f"Please keep the note to {NOTE_MAX} characters.")])
    version = VersionField()
    add_fee = BooleanField("Add a no-show fee to the invoice")
    fee = StringField("Fee amount", validators=[Length(max=40)])
    fee_default = HiddenField(validators=[Length(max=40)])  # the amount offered (chosen_fee)


class FeeSettingsForm(Form):
    """Settings > Financial Settings > Tax & Fees; amounts are read by billing.money."""
    cancellation_fee = StringField("Default cancellation fee", validators=[Length(max=40)])
    no_show_fee = StringField("Default no-show fee", validators=[Length(max=40)])
    tax_rate = StringField("Tax rate on invoice lines (%)", validators=[Length(max=10)])


class FeeTierForm(Form):
    """One late-cancellation tier: under N hours' notice, a flat amount or a percentage."""
    under_hours = IntegerField("Cancelled with less than (hours' notice)", validators=[
        InputRequired("Enter a number of hours."),
        NumberRange(1, 8760, "Notice must be between 1 and 8760 hours.")])
    kind = StringField("Fee", validators=[DataRequired("Choose flat or percentage."),
                                          Length(max=10)])
    amount = StringField("Amount or percentage", validators=[
        DataRequired("Enter an amount or a percentage."), Length(max=40)])


class PortalSettingsForm(Form):
    customers_may_cancel = BooleanField(
        "Allow customers to cancel bookings through customer portal and email links")
    customers_may_reschedule = BooleanField(
        "Allow customers to reschedule bookings through the customer portal and email links")
    cancel_notice_hours = IntegerField(
        "Minimum cancellation notice (hours; 0 = none)",
        validators=[InputRequired("Enter a number of hours (0 for none)."),
                    NumberRange(0, 8760, "Notice must be between 0 and 8760 hours.")])
    reschedule_notice_hours = IntegerField(
        "Minimum reschedule notice (hours; blank = same as cancellation)",
        validators=[Optional(), NumberRange(0, 8760, "Notice must be between 0 and 8760 hours.")])
    blocked_message = TextAreaField(
        "Message customers see when it is too late to cancel online",
        validators=[Length(max=500, message="Please keep the message to 500 characters.")])
    reschedule_blocked_message = TextAreaField(
        "Message customers see when it is too late to reschedule online",
        validators=[Length(max=500, message="Please keep the message to 500 characters.")])
    cancel_note_required = BooleanField("Customers must write a note when they cancel")
    real_time_availability = BooleanField(
        "Real-time availability: customers may only pick free times when rescheduling")
    customers_may_book_series = BooleanField(
        "Allow customers to book repeating visits (every few weeks or monthly) online")
    reminder_hours = IntegerField(
        "Send reminder emails this many hours before the appointment",
        validators=[InputRequired("Enter a number of hours."),
                    NumberRange(1, 720, "Reminders go out between 1 and 720 hours before.")])
    # Customers who haven't chosen theirs, and visitors whose browser asks for none we speak
    default_language = StringField("Customers' language when theirs is not known")


class ReasonForm(Form):
    label = StringField("Reason", validators=[
        DataRequired("A reason needs a name."),
        Length(max=80, message="Please keep a reason to 80 characters.")])


class ConfirmForm(Form):
    """The second step of an action that can't be undone from the page (rotate a secret,
    deactivate staff, revoke a token): its POST acts only with this field, so a stray or
    replayed one-click form changes nothing."""
    confirmed = HiddenField(validators=[DataRequired(
        "Nothing was changed: confirm first. Press the button again and answer the question.")])
