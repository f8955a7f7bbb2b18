"""A form's simple fields made from a kept copy instead of WTForms' constructor.

WTForms builds every field of a form anew on each request (Field.__init__: the label, flags
from each validator, the widget, the translations, the check of the validators): about forty
Python calls a field, a tenth of a cancel POST's calls for the cancel form's nine fields.
What the constructor works out depends only on the form class and the field's name and prefix
(and, for a field with no label of its own, the language WTForms' label is translated into),
so the first field built is kept without its form, and later forms get a copy of it bound to
themselves: the same attributes, with their own flags and render_kw so no form can change
another's. A field starts with no data or errors either way: the form fills them in after
binding (process, validate).

Only the plain field types below: anything with choices, a datalist, sub-forms, a locale of
its own or another constructor of ours is built by WTForms as before.
"""
from collections import OrderedDict

from wtforms.csrf.core import CSRFTokenField
from wtforms.fields import (BooleanField, EmailField, HiddenField, IntegerField,
                            PasswordField, StringField, TextAreaField)
from wtforms.fields.core import Field, Flags
from wtforms.form import BaseForm
from wtforms.validators import StopValidation, ValidationError

from ..kernel.i18n import current_locale

PLAIN = {StringField, TextAreaField, HiddenField, BooleanField, PasswordField, EmailField,
         IntegerField}
_PER_FORM = ("_form", "meta")  # what a kept copy must not carry from its first form


def plain(field_class):
    """Also build `field_class` (a subclass of ours whose constructor only stores plain
    values) from a kept copy."""
    PLAIN.add(field_class)
    return field_class


def bind(form, unbound, options):
    """meta.bind_field: the field for `form`, from the kept copy when it has one."""
    kind = unbound.field_class
    if kind not in PLAIN or unbound.kwargs.get("datalist") is not None \
            or unbound.kwargs.get("_meta") is not None:
        return unbound.bind(form=form, **options)
    translations = options.get("translations")
    unlabelled = unbound.kwargs.get("label", unbound.args[0] if unbound.args else None) is None
    key = (options["name"], options.get("prefix", ""), translations,
           str(current_locale()) if unlabelled and translations is not None else None)
    kept = unbound.__dict__.get("_rebook_kept")
    if kept is None:
        kept = unbound.__dict__["_rebook_kept"] = {}
    made = kept.get(key)
    if made is None:
        field = unbound.bind(form=form, **options)
        if len(kept) > 64:  # a name or prefix made per request: never grow without bound
            kept.clear()
        kept[key] = {name: value for name, value in field.__dict__.items()
                     if name not in _PER_FORM}
        return field
    field = object.__new__(kind)
    field.__dict__ = dict(made)  # a copy: the kept one stays as it was made
    field._form, field.meta = form, form.meta
    flags = field.flags = Flags()
    flags.__dict__ = dict(made["flags"].__dict__)
    if made.get("render_kw") is not None:
        field.render_kw = dict(made["render_kw"])
    return field


# Whole forms. Binding field by field still asks, for each field, whether it is plain and what
# its key is (about twenty-five calls a field). A form class whose fields are all plain (and its
# CSRF field) is kept whole instead: its fields as the first form built for a (prefix,
# translations, language, CSRF) key had them before any data, and a later form of the class
# copies them all at once. Forms with any other field, or meta options besides "csrf", are built
# field by field as above.
_CSRF_FIELDS = {CSRFTokenField}


def csrf_field(field_class):
    """Also keep `field_class`, a CSRF field, in whole forms (its csrf_impl is each form's)."""
    _CSRF_FIELDS.add(field_class)
    return field_class


_META_ONLY = set()  # CSRF classes' setup_form that only keep the form's meta


def csrf_setup_keeps_meta(csrf_class):
    """`csrf_class`'s setup_form only keeps the form's meta (and returns the CSRF field's
    unbound field, which a whole form has kept): whole forms set the meta themselves."""
    _META_ONLY.add(csrf_class.setup_form)
    return csrf_class


def _whole_key(form, meta, prefix):
    translations = meta.get_translations(form)
    noted = meta.__dict__  # what forms.Form noted from the config (else the Meta's own answer)
    csrf = noted["csrf"] if "csrf" in noted else meta.csrf
    return (prefix, translations, str(current_locale()) if translations is not None else None,
            csrf, (noted["csrf_field_name"] if "csrf_field_name" in noted
                   else meta.csrf_field_name) if csrf else None)


def made_whole(form, meta, prefix):
    """Fill `form` (a Form whose meta is `meta`) with its fields from the kept copy, as
    BaseForm.__init__ would; False when its class has no kept copy for this key (build it with
    WTForms' constructor and hand it to keep_whole)."""
    cls = type(form)
    kept = cls.__dict__.get("_rebook_whole")
    if kept is None or kept[0] is not cls._unbound_fields:
        return False  # new, or fields added to the class since (FormMeta made a new list)
    if prefix and prefix[-1] not in "-_;:/.":
        prefix += "-"
    key = _whole_key(form, meta, prefix)
    made = kept[1].get(key)
    if made is None:
        return False
    form.meta = meta
    form._parent_form = getattr(meta, "_parent_form", None)
    form._form_error_key = ""
    form._prefix = prefix
    if key[3]:
        csrf = form._csrf = meta.build_csrf(form)
        if type(csrf).setup_form in _META_ONLY:
            csrf.meta = meta  # all it keeps (the unbound field it returns is already made)
        else:
            csrf.setup_form(form)
    fields = form._fields = OrderedDict()
    for name, kind, values, own_render_kw in made:
        field = object.__new__(kind)
        field.__dict__ = dict(values)
        field._form, field.meta = form, meta
        flags = field.flags = Flags()
        flags.__dict__ = dict(values["flags"].__dict__)
        if own_render_kw:
            field.render_kw = dict(values["render_kw"])
        if kind in _CSRF_FIELDS:
            field.csrf_impl = form._csrf
        fields[name] = field
    form.form_errors = []
    return True


def keep_whole(form, meta):
    """Keep the fields of `form`, just built by WTForms' constructor and not yet given any data,
    for later forms of its class (only when every field is plain)."""
    cls = type(form)
    kept = cls.__dict__.get("_rebook_whole")
    if kept is None or kept[0] is not cls._unbound_fields:
        kept = (cls._unbound_fields, {})
        type.__setattr__(cls, "_rebook_whole", kept)  # (an underscore: FormMeta ignores it)
    unbound = dict(cls._unbound_fields)
    made = []
    for name, field in form._fields.items():
        kind = type(field)
        if kind not in _CSRF_FIELDS:
            source = unbound.get(name)
            if kind not in PLAIN or source is None or source.field_class is not kind \
                    or source.kwargs.get("datalist") is not None \
                    or source.kwargs.get("_meta") is not None:
                return  # built field by field, as before
        values = {key: value for key, value in field.__dict__.items()
                  if key not in _PER_FORM and key != "csrf_impl"}
        # the form just built goes on to use (and may change) its own flags and render_kw
        flags = values["flags"] = Flags()
        flags.__dict__ = dict(field.flags.__dict__)
        own_render_kw = values.get("render_kw") is not None  # (asked once, not per form)
        if own_render_kw:
            values["render_kw"] = dict(values["render_kw"])
        made.append((name, kind, values, own_render_kw))
    if len(kept[1]) > 64:  # a prefix made per request: never grow without bound
        kept[1].clear()
    kept[1][_whole_key(form, meta, form._prefix)] = tuple(made)


# Processing and validating. WTForms' Field.process and Field.validate take a dozen Python calls a
# field even for a text box with no filters: the default tried as a callable (a TypeError caught
# for None), hooks that do nothing (post_process with no datalist, pre_validate,
# post_validate), a check of the (no) extra validators, a filter_<name> and validate_<name> looked
# up on the form. Whether a field needs any of that depends only on its class and what it was
# declared with, so it is worked out once per form class: its "lean" fields are processed and
# validated by the loops below, which do what WTForms' would (the same data, raw_data,
# object_data, process_errors and errors, in the same order); every other field goes through
# WTForms itself.
def _lean(field):
    kind = type(field)
    return (kind not in _CSRF_FIELDS and kind.process is Field.process
            and kind.post_process is Field.post_process and kind.validate is Field.validate
            and kind.pre_validate is Field.pre_validate
            and kind.post_validate is Field.post_validate
            and field._datalist is None and not callable(field.default))


def _own_steps(form_class, names):
    """Whether the form class adds steps of its own: post_process, or an inline filter_<name>
    or validate_<name> for any field."""
    return form_class.post_process is not BaseForm.post_process or any(
        getattr(form_class, f"{step}_{name}", None) is not None
        for name in names for step in ("filter", "validate"))


def lean_fields(form):
    """The names of `form`'s fields the loops below may process and validate (kept on its class);
    None when its class adds steps of its own, so WTForms does it all."""
    cls = type(form)
    kept = cls.__dict__.get("_rebook_lean")
    if kept is None or kept[0] is not cls._unbound_fields:
        names = None
        if not _own_steps(cls, form._fields):
            names = frozenset(name for name, field in form._fields.items() if _lean(field))
        kept = (cls._unbound_fields, names)
        type.__setattr__(cls, "_rebook_lean", kept)
    return kept[1]


# StringField's process_formdata (text, text area, hidden, password, email fields): the first
# value sent, if any, becomes the data; it raises nothing. Written out in process() below.
_TEXT_FORMDATA = StringField.process_formdata


def process(form, formdata, lean):
    """BaseForm.process(formdata) for a root form with no obj, data or extra filters."""
    hooked = []
    for name, field in form._fields.items():
        if name not in lean:
            field.process(formdata, extra_filters=[])
            hooked.append(field)
            continue
        errors = field.process_errors = []
        data = field.object_data = field.default
        if type(field).process_data is Field.process_data:
            field.data = data
        else:
            try:
                field.process_data(data)
            except ValueError as e:
                errors.append(e.args[0])
        if formdata is not None:
            raw = field.raw_data = formdata.getlist(field.name) if field.name in formdata else []
            if type(field).process_formdata is _TEXT_FORMDATA:  # StringField's, written out
                if raw:
                    field.data = raw[0]
            else:
                try:
                    field.process_formdata(raw)
                except ValueError as e:
                    errors.append(e.args[0])
        try:
            for each in field.filters:
                field.data = each(field.data)
        except ValueError as e:
            errors.append(e.args[0])
    for field in hooked:  # (a lean field's post_process does nothing)
        field.post_process(formdata)


def validate(form, lean):
    """Form.validate() with no extra validators: True when no field has an error."""
    success = True
    for name, field in form._fields.items():
        if name not in lean:
            success = field.validate(form, ()) and success
            continue
        errors = field.errors = list(field.process_errors)
        for validator in field.validators:
            try:
                validator(form, field)
            except StopValidation as e:
                if e.args and e.args[0]:
                    errors.append(e.args[0])
                break
            except ValidationError as e:
                errors.append(e.args[0])
        if errors:
            success = False
    return success


@csrf_field
class LazyTokenField(CSRFTokenField):
    """WTForms' CSRF field, its token signed when a page first shows it rather than whenever a
    form is built: a valid POST that redirects never shows its form again."""

    _token = None

    @property
    def current_token(self):
        if self._token is None:
            self._token = self.csrf_impl.generate_csrf_token(self)
        return self._token

    @current_token.setter
    def current_token(self, value):
        self._token = value

    def process(self, *args, **kwargs):
        HiddenField.process(self, *args, **kwargs)  # CSRFTokenField's, without the signing
