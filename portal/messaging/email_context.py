"""The Jinja context an email is rendered in (rendering._render): jinja2's own, with `call`
asking each callable how it wants to be called once, not on every call.

A template's `{{ _("…") }}`, `kit.email(…)` and `kit.button(…)` each go through
Context.call, which looks for a pass-context/eval-context/environment marker with three
`hasattr`s every time: eight Python calls per call, sixteen calls an email, a seventh of
rendering one. The answer for a callable does not change, so it is kept per callable (by
identity, the callable held so its id cannot be reused). What is called, with which first
argument, and the StopIteration rule are Context.call's; a callable that wants the context
itself (and a callable that cannot be a key) still goes through Context.call.
"""
from types import BuiltinMethodType, MethodType

from jinja2.runtime import BlockReference, Context
from jinja2.utils import _PassArg

_MAX_KEPT = 512  # callables; the kit's and the catalogues' `_` are a handful
_known = {}  # id(callable): (the callable, what is called, its marker)
# Callables a template gets afresh on every look-up (a bound method such as `form.field()` or a
# value's `str.split`, `super()`): never kept, so `_known` neither fills with them nor keeps
# what they hold (a form, a row) alive; pages use this context too (web/app/page_kit.py).
# Macros are kept: an imported kit's are the same objects every render.
_FRESH = frozenset({MethodType, BuiltinMethodType, BlockReference})


def _how_called(obj):
    """Context.call's look-up: a callable object's __call__ if that carries the marker."""
    if hasattr(obj, "__call__") and _PassArg.from_obj(obj.__call__) is not None:  # noqa: B004
        obj = obj.__call__
    return obj, _PassArg.from_obj(obj)


class EmailContext(Context):
    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Context.call's own signature)
        kept = _known.get(id(__obj))
        if kept is None or kept[0] is not __obj:
            if type(__obj) in _FRESH:  # made anew for each access or render: not kept
                return Context.call(__self, __obj, *args, **kwargs)
            if len(_known) >= _MAX_KEPT:
                _known.clear()
            kept = _known[id(__obj)] = (__obj, *_how_called(__obj))
        _, target, pass_arg = kept
        if pass_arg is _PassArg.eval_context:
            args = (__self.eval_ctx, *args)
        elif pass_arg is not None:  # the context or the environment: as jinja2 does it
            return Context.call(__self, __obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return target(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception")
