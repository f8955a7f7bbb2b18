"""The Jinja context an email is rendered in (rendering.render_flat): jinja2's own, with `call`
asking each callable how it wants to be called once, not on every call.

A template's `{{ _("…") }}`, `kit.email(…)` and `kit.button(…)` each go through
Context.call, which looks for a pass-context/eval-context/environment marker with three
`hasattr`s every time: eight Python calls per call, sixteen calls an email, a seventh of
rendering one. The answer for a callable does not change, so it is kept per callable, by a
weak reference: a macro a page defines is new each render and holds that render's context (its
rows, its form); it is forgotten with the render, not kept alive by the cache. What is called,
with which first argument, and the StopIteration rule are Context.call's; a callable that wants
the context itself (and one that cannot be a weak key) still goes through Context.call.

Callables that live as long as the app (the environment's globals, each catalogue's `_`) are
registered with `lasting` and found in a plain dict first: the weak dictionary's look-up is
itself a Python call (33 a booking page, 20 of them `_`).
"""
from types import BuiltinMethodType, MethodType
from weakref import WeakKeyDictionary

from jinja2.runtime import BlockReference, Context
from jinja2.utils import _PassArg

_known = WeakKeyDictionary()  # callable: (whether its __call__ is what is called, its marker)
# The same answers for callables registered as lasting, held for good: a few dozen per app;
# emptied when full (tests make many apps), the ones dropped then go the weak way as before.
_lasting = {}
_LASTING_CAP = 256
# Callables a template gets afresh on every look-up (a bound method such as `form.field()` or a
# value's `str.split`, `super()`): never kept, the look-up would only be thrown away.
_FRESH = frozenset({MethodType, BuiltinMethodType, BlockReference})


def _how_called(obj):
    """Context.call's look-up: a callable object's __call__ if that carries the marker."""
    if hasattr(obj, "__call__") and _PassArg.from_obj(obj.__call__) is not None:  # noqa: B004
        return True, _PassArg.from_obj(obj.__call__)
    return False, _PassArg.from_obj(obj)


def _keep(obj):
    """The look-up kept for `obj`, or None when it is not to be kept: made afresh, compared by
    value rather than identity (two equal callables need not be called alike), or no weak
    reference possible (a builtin such as `range`: Context.call's way, as before)."""
    kind = type(obj)
    if kind in _FRESH or kind.__eq__ is not object.__eq__:
        return None
    try:
        kept = _known[obj] = _how_called(obj)
    except TypeError:
        return None
    return kept


def lasting(obj):
    """Note a callable that lives as long as the app (and so may be held): its look-up kept in
    the plain dict. Ones not to be kept (as _keep decides) are left alone."""
    kind = type(obj)
    if kind in _FRESH or kind.__eq__ is not object.__eq__ or isinstance(obj, type):
        return
    if len(_lasting) >= _LASTING_CAP:
        _lasting.clear()
    _lasting[obj] = _how_called(obj)


class EmailContext(Context):
    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Context.call's own signature)
        try:
            kept = _lasting.get(__obj) or _known.get(__obj) or _keep(__obj)
        except TypeError:  # not hashable
            kept = None
        if kept is None:
            return Context.call(__self, __obj, *args, **kwargs)
        use_call, pass_arg = kept
        if pass_arg is _PassArg.eval_context:
            args = (__self.eval_ctx, *args)
        elif pass_arg is not None:  # the context or the environment: as jinja2 does it
            return Context.call(__self, __obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        target = __obj.__call__ if use_call else __obj
        try:
            return target(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception")
