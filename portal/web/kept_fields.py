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
from wtforms.fields import (BooleanField, EmailField, HiddenField, IntegerField,
                            PasswordField, StringField, TextAreaField)
from wtforms.fields.core import Flags

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
