"""Flask's check whether a hook is a coroutine, made once per function instead of per call.

Before every before/after/teardown hook and view it runs, Flask asks `ensure_sync(func)`,
which inspects the function for a coroutine flag: a dozen times per request, a few percent of
a bare route's CPU. A function's answer never changes, so the plain (sync) ones are
remembered; anything else (a coroutine function, an unhashable callable) is asked as before.
"""
KEPT = 1024  # hooks and views are a few hundred; the bound stops any leak through bound methods


def init_app(app):
    ask = app.ensure_sync
    known = set()

    def ensure_sync(func):
        try:
            if func in known:
                return func
        except TypeError:  # unhashable: nothing to remember it by
            return ask(func)
        answer = ask(func)
        if answer is func and len(known) < KEPT:
            known.add(func)
        return answer

    app.ensure_sync = ensure_sync
