"""Forms processed and validated through kept_fields' loops (the "lean" fields of a class) end
up as WTForms' and Flask-WTF's own steps leave them, for every form of the app, with good,
bad and missing input, on a POST and a GET."""
import pytest
from flask_babel import force_locale
from flask_wtf import FlaskForm
from wtforms import Form as WTForm
from wtforms.form import BaseForm
from wtforms.validators import ValidationError

from portal.web import kept_fields
from portal.web.forms import CancelForm
from tests.support.forms import SENT, every_form

BAD = {"note": "x" * 6000, "reason": "abc", "version": "-1", "fee": "1" * 50, "scope": "z" * 20,
       "email": "", "under_hours": "ten", "cancel_notice_hours": "99999", "add_fee": "",
       "start": "", "service": "0", "label": "", "confirmed": ""}


FORMS = every_form()


def wtforms_steps(form_class):
    """The same form, processed and validated by WTForms and Flask-WTF themselves."""
    class Meta:
        wrap_formdata = FlaskForm.Meta.wrap_formdata
    return type(form_class.__name__, (form_class,), {
        "Meta": Meta, "process": BaseForm.process, "validate": WTForm.validate,
        "is_submitted": FlaskForm.is_submitted})


def described(form):
    submitted = form.is_submitted()
    valid = form.validate()
    return submitted, valid, form.errors, [
        (name, field.data, getattr(field, "raw_data", "unset"), field.object_data,
         list(field.process_errors), list(field.errors))
        for name, field in form._fields.items() if name != "csrf_token"]


def test_the_cancel_form_is_mostly_lean(app):
    with app.test_request_context("/", method="POST", data=SENT):
        assert kept_fields.lean_fields(CancelForm()) >= {"note", "reason", "version", "fee"}


@pytest.mark.parametrize("sent", [SENT, BAD, {}], ids=["good", "bad", "empty"])
def test_lean_steps_leave_forms_as_wtforms_does(app, sent):
    with app.test_request_context("/", method="POST", data=sent), force_locale("de"):
        for form_class in FORMS:
            reference = described(wtforms_steps(form_class)())
            for _ in range(2):
                assert described(form_class()) == reference, form_class.__name__


def test_a_get_and_a_form_given_data_are_as_wtforms_makes_them(app):
    with app.test_request_context("/?note=x"):
        for form_class in FORMS:
            assert described(form_class()) == described(wtforms_steps(form_class)())
    with app.test_request_context("/", method="POST", data=SENT):
        assert described(CancelForm(version=4)) == described(wtforms_steps(CancelForm)(version=4))
        assert (described(CancelForm(formdata=None))
                == described(wtforms_steps(CancelForm)(formdata=None)))


def test_a_form_class_with_steps_of_its_own_is_left_to_wtforms():
    """An inline filter_<name> or validate_<name> for any field, or a post_process: WTForms
    takes every step (the app has none; a BaseForm here, so no test walking Form finds it)."""
    class Filtered(BaseForm):
        def filter_note(self, value):
            return value

    class Checked(BaseForm):
        def validate_version(form, field):
            raise ValidationError("Not this one.")

    class Finished(BaseForm):
        def post_process(self, formdata=None):
            pass

    assert not kept_fields._own_steps(BaseForm, ["note", "version"])
    for form_class in (Filtered, Checked, Finished):
        assert kept_fields._own_steps(form_class, ["note", "version"]), form_class.__name__
