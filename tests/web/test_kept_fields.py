"""Form fields made from a kept copy (portal/web/kept_fields.py) are the fields WTForms' own
constructor makes, for every form of the app, in every language, and no form shares anything
it could change with another."""
import io

import pytest
from flask_babel import force_locale

from portal.web.forms import CancelForm, Form
from tests.support.forms import SENT, every_form


def wtforms_own(form_class):
    """The same form, its fields built by WTForms' constructor as before."""
    class Meta:
        def bind_field(self, form, unbound_field, options):
            return unbound_field.bind(form=form, **options)
    return type(form_class.__name__, (form_class,), {"Meta": Meta})


def described(form):
    """Everything a page or a view reads of a built and validated form's fields."""
    form.validate()
    return [(name, type(field).__name__, field.name, field.id, str(field.label.text),
             field.label(), dict(field.flags.__dict__), field.data, field.raw_data,
             list(field.errors), field.description, field.default, field.render_kw,
             str(field()) if type(field).__name__ != "CSRFTokenField" else "token")
            for name, field in form._fields.items()]


FORMS = every_form()


def test_the_app_has_forms_to_compare():
    assert len(FORMS) > 30 and CancelForm in FORMS


@pytest.mark.parametrize("language", ["en", "de", "es"])
def test_kept_fields_are_the_fields_wtforms_builds(app, language):
    with app.test_request_context("/", method="POST", data=SENT), force_locale(language):
        for form_class in FORMS:
            reference = described(wtforms_own(form_class)())
            for _ in range(2):  # the first builds and keeps, the second copies
                assert described(form_class()) == reference, form_class.__name__


def test_forms_share_nothing_they_could_change(app):
    with app.test_request_context("/", method="POST", data={"note": "x" * 300,
                                                           "version": "2"}):
        first = CancelForm(meta={"csrf": False})  # the fields alone
        assert not first.validate()  # the note is too long
        first.note.flags.custom = True
        first.fee.render_kw = {"placeholder": "changed"}
    with app.test_request_context("/", method="POST", data={"note": "fine", "version": "3"}):
        second = CancelForm(meta={"csrf": False})
        assert second.validate()
        assert second.note.data == "fine" and second.version.data == 3
        assert second.note.errors == [] and first.note.errors
        assert not getattr(second.note.flags, "custom", False)
        assert second.fee.render_kw is None
        assert second.note._form is second and second.note.meta is second.meta
        assert first.note is not second.note and first.note.flags is not second.note.flags
    with app.test_request_context("/"):  # a GET: nothing sent, nothing kept from before
        third = CancelForm(version=5)  # with its CSRF field
        assert third.note.data is None and third.version.data == 5
        assert third.note.raw_data is None and third.csrf_token._form is third


@pytest.mark.parametrize("language", ["en", "de"])
def test_whole_forms_with_their_csrf_field_are_the_forms_wtforms_builds(app, language):
    """With CSRF on (the tests run without it), each form is built twice from the kept whole
    form: the fields, and the CSRF field checking against its own form."""
    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context("/", method="POST", data=SENT), force_locale(language):
        for form_class in FORMS:
            reference = described(wtforms_own(form_class)())
            for _ in range(3):
                form = form_class()
                assert described(form) == reference, form_class.__name__
                assert form.csrf_token.csrf_impl is form._csrf and form._csrf.meta is form.meta
                assert not form.validate()  # no token sent
                assert form.csrf_token.errors, form_class.__name__
        kept = [form for form in FORMS if form.__dict__.get("_rebook_whole")
                and form.__dict__["_rebook_whole"][1]]
        assert CancelForm in kept and len(kept) > len(FORMS) // 2


def test_a_field_added_to_a_class_is_built_in_later_forms(app):
    """WTForms lets a form class gain fields after its first form: the whole form kept from
    before is not used for it."""
    from wtforms import StringField

    class Grows(Form):
        first = StringField("First")

    with app.test_request_context("/", method="POST", data={"first": "a", "second": "b"}):
        Grows(meta={"csrf": False})
        Grows.second = StringField("Second")
        assert Grows(meta={"csrf": False}).second.data == "b"


def test_a_forms_csrf_token_is_signed_only_when_shown(app):
    from wtforms.csrf.core import CSRFTokenField

    from portal.web.app.page_kit import CSRF_TOKENS
    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context("/", method="POST", data={"note": "x"}):
        form = CancelForm()
        assert isinstance(form.csrf_token, CSRFTokenField)
        assert "_token" not in form.csrf_token.__dict__  # built and checked, nothing signed
        assert not form.validate() and form.csrf_token.errors
        assert "_token" not in form.csrf_token.__dict__
        shown = str(form.csrf_token())
        assert f'value="{CSRF_TOKENS()}"' in shown and form.csrf_token.current_token
        assert CancelForm().csrf_token._token is None  # each form its own


@pytest.mark.parametrize("enabled", [True, False])
def test_a_forms_csrf_settings_follow_the_config(app, enabled, monkeypatch):
    """Form notes the CSRF switch and field name from the app's config once per form
    (form_meta.read_config) instead of through Flask-WTF's proxies: the same answers, a config
    changed between requests is followed, and a form's own meta={"csrf": False} wins."""
    from flask_wtf import FlaskForm
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", enabled)  # (the app is the session's)
    monkeypatch.setitem(app.config, "WTF_CSRF_FIELD_NAME", "guard")
    with app.test_request_context("/", method="POST", data={"note": "x"}):
        form, plain = CancelForm(), FlaskForm.Meta()
        assert (form.meta.csrf, form.meta.csrf_field_name) == (plain.csrf, plain.csrf_field_name)
        assert ("guard" in form._fields) is enabled and "csrf_token" not in form._fields
        assert CancelForm(meta={"csrf": False}).meta.csrf is False
    monkeypatch.delitem(app.config, "WTF_CSRF_FIELD_NAME")
    with app.test_request_context("/", method="POST", data={"note": "x"}):
        assert ("csrf_token" in CancelForm()._fields) is enabled


def test_a_forms_csrf_check_follows_csrfprotect_s_verdict(app, monkeypatch):
    """The form's own CSRF check stands down when CSRFProtect checked the request already
    (g.csrf_valid, read without the proxies: form_meta.KeptFormCSRF), and refuses otherwise."""
    from flask import g
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    with app.test_request_context("/", method="POST", data={"note": "x"}):
        assert not CancelForm().validate()
        g.csrf_valid = True
        assert CancelForm().validate()
        g.csrf_valid = False
        form = CancelForm()
        assert not form.validate() and form.csrf_token.errors


@pytest.mark.parametrize("upload", [False, True])
@pytest.mark.parametrize("note", [None, "x"])
def test_a_forms_data_is_the_data_flask_wtf_wraps(app, note, upload):
    """forms.Form.Meta.wrap_formdata reads the parsed form and files where werkzeug keeps them:
    the same MultiDicts as Flask-WTF's own, before and after the request's form was read."""
    from flask import request
    from flask_wtf import FlaskForm
    from flask_wtf.form import _Auto
    for read_first in (False, True):
        data = {"note": note} if note else {}
        if upload:
            data["upload"] = (io.BytesIO(b"1"), "a.txt")
        with app.test_request_context("/", method="POST", data=data):
            if read_first:
                request.form  # noqa: B018 (parsed, as the input guard does)
            ours = CancelForm.Meta.wrap_formdata(None, None, _Auto)
            theirs = FlaskForm.Meta.wrap_formdata(None, None, _Auto)
            assert type(ours) is type(theirs)
            assert (None if ours is None else sorted(ours.lists())) == (
                None if theirs is None else sorted(theirs.lists()))
